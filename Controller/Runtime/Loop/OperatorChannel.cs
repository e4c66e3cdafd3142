namespace Robotics.Controller.Loop;

/// <summary>What the loop does when the override operator's commands go stale.</summary>
public enum OverrideFallback
{
    /// <summary>Send the safe action until a fresh command arrives.</summary>
    SafeAction,
    /// <summary>Let the policy drive until a fresh command arrives.</summary>
    Policy,
}

/// <summary>
/// The override operator's path into the loop and back: whoever grants the lease says that one is held, the
/// operator's newest validated command waits in a single-slot latest-value handoff the loop reads each tick,
/// and the loop publishes what it sent for the newest command it applied. No locks: no operator can make the loop wait.
/// </summary>
public sealed class OperatorChannel(int actions)
{
    private volatile bool _held;
    private long _appliedSequence = -1;
    private long _appliedTick;

    /// <summary>The override operator's newest validated command; its tag is the command's sequence number.</summary>
    public Hardware.Devices.LatestSample Commands { get; } = new(actions);

    /// <summary>What the loop sent for the newest applied command (after limits and rate limits); its tag is the sequence.</summary>
    public Hardware.Devices.LatestSample Applied { get; } = new(actions);

    /// <summary>An operator holds the override lease (the lease itself is kept by whoever grants it).</summary>
    public bool Held
    {
        get => _held;
        set => _held = value;
    }

    /// <summary>Sequence number of the newest override command the loop applied, or −1.</summary>
    public long AppliedSequence => Volatile.Read(ref _appliedSequence);

    /// <summary>The tick that first applied it.</summary>
    public long AppliedTick => Volatile.Read(ref _appliedTick);

    /// <summary>
    /// Loop: it wrote the command <paramref name="sequence"/> to the actuators as <paramref name="action"/>. Only its
    /// first tick counts: the loop re-applies the newest command every tick until another arrives, and
    /// command-to-actuator latency is measured to the first.
    /// </summary>
    internal void ReportApplied(long sequence, long tick, long nowNs, ReadOnlySpan<float> action)
    {
        if (sequence == _appliedSequence)
        {
            return;
        }
        Applied.Publish(action, nowNs, sequence);
        Volatile.Write(ref _appliedTick, tick);
        Volatile.Write(ref _appliedSequence, sequence);
    }
}
