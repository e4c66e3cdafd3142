using Robotics.Hardware.Devices;
using Robotics.Protos.TeleopLog;

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
/// The loop's mailbox and notice board for the control plane (gRPC handlers, the CLI): requests are posted
/// from any thread with single writes and taken by the loop at its next tick; the override operator's
/// commands arrive through a single-slot latest-value handoff; the loop publishes what it did in volatile
/// fields. Nothing here is a lock, so no client can make the loop wait.
/// </summary>
public sealed class LoopControl(int actions)
{
    private const int NoRequest = -1;
    private int _requestedMode = NoRequest;
    private int _resetRequested;
    private int _stopRecordingRequested;
    private TeleopLogWriter? _offeredRecorder;
    private TeleopLogWriter? _retiredRecorder;
    private volatile bool _emergencyStopped;
    private long _emergencyStopLatches;
    private volatile bool _stopInputActive;
    private volatile bool _overrideHeld;
    private int _mode;
    private long _appliedSequence = -1;
    private long _appliedTick;
    private volatile bool _overrideStale;
    private volatile bool _recording;

    /// <summary>The override operator's newest validated command; its tag is the command's sequence number.</summary>
    public LatestSample Commands { get; } = new(actions);

    /// <summary>What the loop did with the newest applied command (the action after clamping); its tag is the sequence.</summary>
    public LatestSample Applied { get; } = new(actions);

    // ------------------------------------------------------------------ requests (any thread → loop)

    public void RequestMode(ControlMode mode) => Volatile.Write(ref _requestedMode, (int)mode);

    public void RequestReset() => Volatile.Write(ref _resetRequested, 1);

    /// <summary>Latches the emergency stop: the loop sends nothing but the safe action until released.</summary>
    public void LatchEmergencyStop()
    {
        // Counted before the flag is set: a stop and its release both between two ticks still show as a stop
        // the loop must come out of (it resumes the devices the stop halted).
        Interlocked.Increment(ref _emergencyStopLatches);
        _emergencyStopped = true;
    }

    public void ReleaseEmergencyStop() => _emergencyStopped = false;

    /// <summary>Hands the loop a writer to record into from its next tick (the caller opened the file).</summary>
    public void OfferRecorder(TeleopLogWriter writer) => Volatile.Write(ref _offeredRecorder, writer);

    public void RequestRecordingStop() => Volatile.Write(ref _stopRecordingRequested, 1);

    /// <summary>The writer the loop let go of after a stop request, for the caller to close (flush, fsync) off the loop.</summary>
    public TeleopLogWriter? TakeRetiredRecorder() => Interlocked.Exchange(ref _retiredRecorder, null);

    /// <summary>An operator holds the override lease (the lease itself is kept by whoever grants it).</summary>
    public bool OverrideHeld
    {
        get => _overrideHeld;
        set => _overrideHeld = value;
    }

    // ------------------------------------------------------------------ what the loop reports (loop → any thread)

    public bool EmergencyStopped => _emergencyStopped;

    /// <summary>Times the stop was latched, by anyone.</summary>
    public long EmergencyStopLatches => Interlocked.Read(ref _emergencyStopLatches);

    /// <summary>An emergency-stop input of the robot itself is active (or unreadable), as of the latest tick.</summary>
    public bool StopInputActive => _stopInputActive;

    /// <summary>Loop: whether the robot's own stop input is active this tick.</summary>
    public void ReportStopInput(bool active) => _stopInputActive = active;

    public ControlMode Mode => (ControlMode)Volatile.Read(ref _mode);

    public bool OverrideStale => _overrideStale;

    public bool Recording => _recording;

    /// <summary>Sequence number of the newest override command the loop applied, or −1.</summary>
    public long AppliedSequence => Volatile.Read(ref _appliedSequence);

    /// <summary>The tick that first applied it.</summary>
    public long AppliedTick => Volatile.Read(ref _appliedTick);

    // ------------------------------------------------------------------ the loop's side

    internal bool TakeModeRequest(out ControlMode mode)
    {
        int requested = Interlocked.Exchange(ref _requestedMode, NoRequest);
        mode = (ControlMode)requested;
        return requested != NoRequest;
    }

    internal bool TakeResetRequest() => Interlocked.Exchange(ref _resetRequested, 0) == 1;

    internal TeleopLogWriter? TakeOfferedRecorder() => Interlocked.Exchange(ref _offeredRecorder, null);

    internal bool TakeRecordingStopRequest() => Interlocked.Exchange(ref _stopRecordingRequested, 0) == 1;

    internal void Retire(TeleopLogWriter writer) => Volatile.Write(ref _retiredRecorder, writer);

    internal void ReportMode(ControlMode mode) => Volatile.Write(ref _mode, (int)mode);

    internal void ReportStale(bool stale) => _overrideStale = stale;

    internal void ReportRecording(bool recording) => _recording = recording;

    /// <summary>
    /// The loop wrote the command <paramref name="sequence"/> to the actuators. Only its first tick counts: the
    /// loop re-applies the newest command every tick until another arrives, and command-to-actuator latency is
    /// measured to the first.
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
