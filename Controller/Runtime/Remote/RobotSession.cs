using Grpc.Core;
using Robotics.Controller.Loop;
using Robotics.Protos;
using Robotics.Protos.TeleopLog;

namespace Robotics.Controller.Remote;

/// <summary>
/// What the gRPC services share about the running robot: the loop, its event hub, the override lease (one
/// operator at a time) and the recording started from remote. Lives on the server's threads; the loop only
/// ever sees <see cref="LoopControl"/>.
/// </summary>
public sealed class RobotSession(ControlLoop loop, EventHub events, ServerOptions options) : IDisposable
{
    private readonly Lock _lease = new();
    private OverrideLease? _holder;
    private string _recordingPath = "";
    private int _telemetrySubscribers;

    public ControlLoop Loop => loop;

    public EventHub Events => events;

    public ServerOptions Options => options;

    public string? OverrideOwner
    {
        get
        {
            lock (_lease)
            {
                return _holder?.Operator;
            }
        }
    }

    public string RecordingPath => Volatile.Read(ref _recordingPath);

    public int TelemetrySubscribers => Volatile.Read(ref _telemetrySubscribers);

    internal void CountSubscriber(int change) => Interlocked.Add(ref _telemetrySubscribers, change);

    /// <summary>Takes the override lease for <paramref name="operator"/>.</summary>
    /// <exception cref="RpcException">FAILED_PRECONDITION: someone else holds it, or the robot is emergency-stopped.</exception>
    public OverrideLease TakeLease(string @operator)
    {
        var lease = new OverrideLease(@operator);
        lock (_lease)
        {
            if (loop.Control.EmergencyStopped)
            {
                lease.Dispose();
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "the robot is emergency-stopped: release the stop (Control.ReleaseEmergencyStop) before taking over"));
            }
            if (_holder is not null)
            {
                lease.Dispose();
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the override lease is held by {_holder.Operator}"));
            }
            _holder = lease;
            // A new operator starts from nothing: the previous one's last command must not drive for them.
            loop.Control.Commands.Clear();
            loop.Control.OverrideHeld = true;
        }
        Publish(LoopEventKind.OverrideTaken, $"{@operator} took over");
        return lease;
    }

    /// <summary>Gives the lease back (the owner released it, disconnected, or was revoked).</summary>
    public void ReleaseLease(OverrideLease lease, string reason)
    {
        lock (_lease)
        {
            if (_holder != lease)
            {
                return;
            }
            loop.Control.OverrideHeld = false;
            _holder = null;
        }
        lease.Dispose();
        Publish(LoopEventKind.OverrideReleased, $"{lease.Operator} released the robot ({reason})");
    }

    public void Dispose()
    {
        lock (_lease)
        {
            _holder?.Dispose();
            _holder = null;
        }
    }

    /// <summary>Halts the actuators now, latches the stop, and ends any override session.</summary>
    public void EmergencyStop(string reason)
    {
        loop.Control.LatchEmergencyStop();
        loop.Hardware.Halt();
        lock (_lease)
        {
            loop.Control.OverrideHeld = false;
            _holder?.Revoke();
        }
        Publish(LoopEventKind.EmergencyStop, string.IsNullOrWhiteSpace(reason) ? "emergency stop" : $"emergency stop: {reason}");
    }

    /// <summary>Lifts the stop; the loop resumes the devices on its next tick (unless a stop input is still active, or the watchdog halted them).</summary>
    public void ReleaseEmergencyStop()
    {
        loop.Control.ReleaseEmergencyStop();
        Publish(LoopEventKind.EmergencyStopReleased, "emergency stop released");
    }

    /// <summary>Opens a log at <paramref name="path"/> and hands it to the loop.</summary>
    public async Task StartRecordingAsync(string path, CancellationToken cancellation)
    {
        var robot = loop.Hardware.Description;
        var writer = TeleopLogWriter.Create(path, robot.ToEpisodeInfo(loop.Options.RateHz, "", ""));
        loop.Control.OfferRecorder(writer);
        await WaitForAsync(() => loop.Control.Recording || loop.Control.TakeRetiredRecorder() is not null, cancellation);
        if (!loop.Control.Recording)
        {
            writer.Dispose();
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the robot is already recording"));
        }
        Volatile.Write(ref _recordingPath, path);
    }

    /// <summary>Asks the loop to let go of its log, then closes it here (flush, summary, fsync) off the loop.</summary>
    public async Task<string> StopRecordingAsync(CancellationToken cancellation)
    {
        loop.Control.RequestRecordingStop();
        TeleopLogWriter? retired = null;
        await WaitForAsync(() => (retired = loop.Control.TakeRetiredRecorder()) is not null, cancellation);
        retired!.Dispose();
        return Interlocked.Exchange(ref _recordingPath, "");
    }

    public void Publish(LoopEventKind kind, string text) =>
        events.Publish(new LoopEvent(kind, MonotonicClock.NowNs(), loop.Episode, 0, Text: text, Mode: loop.Control.Mode));

    /// <summary>Waits (asynchronously, a few ticks at a time) for the loop to act on a request.</summary>
    public async Task WaitForAsync(Func<bool> condition, CancellationToken cancellation)
    {
        // Requests are taken at the next tick; ten seconds covers a 10 Hz loop many times over.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        while (!condition())
        {
            if (!loop.IsRunning)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the control loop has stopped"));
            }
            try
            {
                await timer.WaitForNextTickAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "the control loop did not take the request"));
            }
        }
    }
}

/// <summary>One operator's hold on the robot: revoked by an emergency stop.</summary>
public sealed class OverrideLease(string @operator) : IDisposable
{
    private readonly CancellationTokenSource _revoked = new();

    public string Operator => @operator;

    /// <summary>Cancelled when the lease is taken away (emergency stop).</summary>
    public CancellationToken Revoked => _revoked.Token;

    internal void Revoke() => _revoked.Cancel();

    public void Dispose() => _revoked.Dispose();
}
