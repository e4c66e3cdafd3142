namespace Robotics.Hardware.Robots;

/// <summary>
/// How a stale-sensor fault on an observation clears: its device's <c>stale_recovery</c> in a robot config
/// (docs/robot-config.md, "Faults and how they clear"). The default, <see cref="Operator"/>, is the safe one: the
/// fault clears only on an operator's reset, a new episode or a stop release, because only the config's author knows
/// whether a lapse of this device is a link's hiccup or something a person must look at.
/// </summary>
/// <param name="FreshTicks">
/// 0: operator only. N &gt; 0: the fault also clears by itself on the N-th consecutive tick on which every
/// observation of its device is within its max age.
/// </param>
public readonly record struct StaleRecovery(int FreshTicks)
{
    /// <summary>The most ticks a rule may ask for: 10 s at 1 kHz, 1000 s at 10 Hz.</summary>
    public const int MaxFreshTicks = 10_000;

    public static StaleRecovery Operator => default;

    public bool ClearsByItself => FreshTicks > 0;
}
