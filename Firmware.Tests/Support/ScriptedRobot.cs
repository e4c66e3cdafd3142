using Robotics.Hardware.Robots;

namespace Robotics.Tests.Support;

/// <summary>
/// A robot with no physics whose sensors and timing a test scripts: a stale sensor from some tick on, a
/// read that stalls once, a write that takes too long once, a stop input pressed and released. It records every action written and when
/// Halt was called, so tests can check what reached the actuators.
/// </summary>
public sealed class ScriptedRobot(double rateHz = 100) : IRobotHardware
{
    private long _reads;
    private long _haltedAtTick = -1;
    private bool _stopInputActive;
    private long _resumes;

    public RobotDescription Description { get; } = new("scripted", rateHz,
        [new ObservationSpec("position", "m", 50_000_000), new ObservationSpec("velocity", "m/s", 50_000_000)],
        [new ActionSpec("force", "N", -2, 2, 100, 0.5f)]);

    /// <summary>From this read on (0-based), the velocity sensor is stale.</summary>
    public long StaleFromRead { get; init; } = long.MaxValue;

    /// <summary>At this read, block this long (a driver stuck on a bus).</summary>
    public (long Read, TimeSpan Stall) StallAt { get; init; } = (-1, TimeSpan.Zero);

    /// <summary>At this read, the observation holds NaN.</summary>
    public long NaNAtRead { get; init; } = -1;

    /// <summary>While true, the robot's own stop input is active (a test presses and releases it).</summary>
    public bool StopInputActive
    {
        get => Volatile.Read(ref _stopInputActive);
        set => Volatile.Write(ref _stopInputActive, value);
    }

    public List<float> Written { get; } = [];

    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Times Resume was called.</summary>
    public long Resumes => Interlocked.Read(ref _resumes);

    /// <summary>The read count when Halt was called, or −1.</summary>
    public long HaltedAtRead => Interlocked.Read(ref _haltedAtTick);

    public bool Stopped { get; private set; }

    public void Start()
    {
    }

    public ReadStatus Read(Span<float> observation, long nowNs, out int faultIndex)
    {
        long read = Interlocked.Increment(ref _reads) - 1;
        if (read == StallAt.Read)
        {
            Thread.Sleep(StallAt.Stall);
        }
        observation[0] = read == NaNAtRead ? float.NaN : 0.1f * read;
        observation[1] = 1;
        if (StopInputActive)
        {
            faultIndex = 0;
            return ReadStatus.EmergencyStop;
        }
        faultIndex = read >= StaleFromRead ? 1 : -1;
        return read >= StaleFromRead ? ReadStatus.StaleSensor : ReadStatus.Ok;
    }

    public void Write(ReadOnlySpan<float> action, long nowNs)
    {
        lock (Written)
        {
            Written.Add(action[0]);
        }
    }

    public void Halt() => Interlocked.CompareExchange(ref _haltedAtTick, Reads, -1);

    public void Resume()
    {
        Interlocked.Increment(ref _resumes);
        Interlocked.Exchange(ref _haltedAtTick, -1);
    }

    public void Stop() => Stopped = true;

    public void Dispose()
    {
    }
}

/// <summary>An operator that always commands the same value on every action (or NaN from some tick on).</summary>
public sealed class ConstantOperator(float value, long nanFromTick = long.MaxValue) : Robotics.Controller.Loop.IOperator
{
    private long _tick;

    public string Name => "constant operator";

    public bool TryAct(ReadOnlySpan<float> observation, Span<float> action)
    {
        action.Fill(_tick++ >= nanFromTick ? float.NaN : value);
        return true;
    }
}
