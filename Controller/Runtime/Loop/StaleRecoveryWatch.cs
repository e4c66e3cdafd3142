using Robotics.Controller.Safety;
using Robotics.Hardware.Robots;

namespace Robotics.Controller.Loop;

/// <summary>
/// Counts, while a stale-sensor fault is latched, the consecutive ticks on which every observation of its device was
/// within its max age, and says when that reaches the device's <see cref="StaleRecovery"/>: the supervisor's
/// <see cref="SafetyInputs.StaleRecovered"/>. Only the faulted device counts, so another device still stale does
/// not hold it back (that one latches its own fault on the tick this one clears). Everything is laid out at
/// construction: a tick allocates nothing.
/// </summary>
internal sealed class StaleRecoveryWatch
{
    private readonly IObservationFreshness? _freshness;
    private readonly int[] _freshTicks;
    // For each observation, every observation from the same device, itself included (alone when it names no device).
    private readonly int[][] _device;
    private readonly string[] _texts;
    private int _fresh;

    public StaleRecoveryWatch(RobotDescription robot, IRobotHardware hardware)
    {
        var observations = robot.Observations;
        _freshTicks = [.. observations.Select(o => o.StaleRecovery.FreshTicks)];
        _device = [.. observations.Select((o, k) => Enumerable.Range(0, observations.Count)
            .Where(i => i == k || (o.Device is not null && observations[i].Device == o.Device)).ToArray())];
        _texts = [.. observations.Select(o => o.StaleRecovery.ClearsByItself
            ? $"stale sensor recovered: '{o.Name}' of device '{o.Device}' fresh for {o.StaleRecovery.FreshTicks} ticks"
            : "")];
        _freshness = hardware as IObservationFreshness;
        if (_freshness is null && observations.FirstOrDefault(o => o.StaleRecovery.ClearsByItself) is { } needing)
        {
            throw new ArgumentException($"robot '{robot.Name}': observation '{needing.Name}' may recover from a stale fault by itself, " +
                "but the robot cannot tell which of its observations are fresh (IObservationFreshness)");
        }
    }

    /// <summary>Counts this tick (after the read) against the fault <paramref name="state"/> holds; true when its device has been fresh long enough.</summary>
    public bool Observe(in SafetyState state)
    {
        if (state.Fault != FaultKind.StaleSensor || _freshTicks[state.FaultIndex] == 0)
        {
            _fresh = 0;
            return false;
        }
        _fresh = DeviceFresh(state.FaultIndex) ? _fresh + 1 : 0;
        return _fresh >= _freshTicks[state.FaultIndex];
    }

    /// <summary>A fault latched on this tick: its count starts from nothing, whatever the fault it replaced had counted.</summary>
    public void Restart() => _fresh = 0;

    /// <summary>The recovery event's text for a sensor, naming it and its device (a constant: the loop's events do not allocate).</summary>
    public string TextFor(int index) => _texts[index];

    private bool DeviceFresh(int index)
    {
        foreach (int i in _device[index])
        {
            if (!_freshness!.IsFresh(i))
            {
                return false;
            }
        }
        return true;
    }
}
