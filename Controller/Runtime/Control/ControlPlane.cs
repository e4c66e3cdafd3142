using System.Globalization;
using System.Threading.Channels;
using Robotics.Controller.Loop;
using Robotics.Controller.Recording;
using Robotics.Protos;

namespace Robotics.Controller.Control;

/// <summary>
/// The robot's control plane: mode, episode reset, recording, emergency stop and release, as typed requests that
/// one task carries out one at a time, in the order they came, whoever sent them (gRPC clients, the command line,
/// tests). A request is checked against the state as the previous request left it, so two recordings can never
/// both start: the second finds the first. A request that cannot apply is refused with a
/// <see cref="ControlRefusedException"/> naming why, and leaves nothing open. What needs the loop goes through its
/// <see cref="LoopMailbox"/> and is answered at its next tick; files are opened and closed here, never on the loop.
/// The emergency stop alone does not queue: the devices are halted and the stop latched as it arrives, ahead of
/// any request still waiting.
/// </summary>
public sealed class ControlPlane : IAsyncDisposable
{
    private static readonly TimeSpan LoopAnswerPoll = TimeSpan.FromMilliseconds(1);

    private readonly ControlLoop _loop;
    private readonly EventHub _events;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _processor;
    private TickRecorder? _recording;
    private bool _ownsRecording;
    private string _recordingPath = "";

    /// <param name="runRecording">The recording the loop was started with, if any: the plane reports it and may stop it, but does not own it.</param>
    public ControlPlane(ControlLoop loop, EventHub events, TickRecorder? runRecording = null)
    {
        _loop = loop;
        _events = events;
        Leases = new OverrideLeases(loop, events);
        if (runRecording is not null)
        {
            _recording = runRecording;
            _recordingPath = runRecording.Path ?? "(started with the run)";
        }
        _processor = Task.Run(ProcessAsync);
    }

    /// <summary>
    /// How long a request may wait for the loop to take it before it is withdrawn. Requests are taken at the loop's
    /// next tick; ten seconds covers a 10 Hz loop many times over, so only a stalled loop runs into it.
    /// </summary>
    public TimeSpan LoopAnswerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Who holds the override, and the lease the loop applies commands under.</summary>
    public OverrideLeases Leases { get; }

    /// <summary>The log being written, or empty.</summary>
    public string RecordingPath => Volatile.Read(ref _recordingPath);

    /// <summary>The recording on now (the run's or one started here), or null: its failure, if it failed, for the status.</summary>
    public TickRecorder? Recording => Volatile.Read(ref _recording);

    public Task<string> SetModeAsync(ControlMode mode, CancellationToken cancellation) => SubmitAsync(new SetMode(mode), cancellation);

    /// <summary>Ends the current episode (aborted, "operator reset") and starts the next.</summary>
    public Task<string> ResetEpisodeAsync(CancellationToken cancellation) => SubmitAsync(new ResetEpisode(), cancellation);

    /// <summary>Starts a teleop log at <paramref name="path"/> (which must not exist) from the loop's next tick.</summary>
    public Task<string> StartRecordingAsync(string path, CancellationToken cancellation) => SubmitAsync(new StartRecording(path), cancellation);

    /// <summary>Stops the recording after the ticks published so far and closes the log (summary, footer, fsync).</summary>
    public Task<string> StopRecordingAsync(CancellationToken cancellation) => SubmitAsync(new StopRecording(), cancellation);

    /// <summary>Halts the devices and latches the stop now; the reply follows once the requests before it are done.</summary>
    public Task<string> EmergencyStopAsync(string reason, CancellationToken cancellation)
    {
        // Latched, then halted, before anyone hears of the stop: a tick deciding to resume meanwhile sees the latch
        // after its resume and halts again; the loop holds the safe action from its next tick.
        _loop.Mailbox.LatchStop();
        _loop.Hardware.Halt();
        // The operator overriding loses the lease: after the release, taking over is a decision made again.
        Leases.Revoke("emergency stop");
        return SubmitAsync(new EmergencyStop(reason), cancellation);
    }

    /// <summary>Lifts the stop, unless the robot's own stop input is still active; the loop resumes the devices on the first tick with no stop and no fault.</summary>
    /// <remarks>It releases the stops latched when it was asked for: one latched after that (another operator's) still holds.</remarks>
    public Task<string> ReleaseEmergencyStopAsync(CancellationToken cancellation) => SubmitAsync(new ReleaseEmergencyStop(_loop.Mailbox.StopLatches), cancellation);

    /// <summary>Finishes the requests already queued, refuses new ones, and closes a recording this plane started.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _processor;
        if (_ownsRecording)
        {
            // A failure was announced when it happened (RECORDING_FAILED); here it is only closed.
            _recording?.Close(_loop.Ticks.Published);
        }
    }

    private async Task<string> SubmitAsync(Request request, CancellationToken cancellation)
    {
        var pending = new Pending(request, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously), cancellation);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ControlRefusedException(ControlFailure.Unavailable, "the robot is shutting down");
        }
        return await pending.Reply.Task;
    }

    private async Task ProcessAsync()
    {
        await foreach (var pending in _queue.Reader.ReadAllAsync())
        {
            try
            {
                pending.Cancellation.ThrowIfCancellationRequested();
                pending.Reply.SetResult(await HandleAsync(pending.Request, pending.Cancellation));
            }
            catch (Exception e)
            {
                pending.Reply.SetException(e);
            }
        }
    }

    private Task<string> HandleAsync(Request request, CancellationToken cancellation) => request switch
    {
        SetMode r => SetModeNowAsync(r.Mode, cancellation),
        ResetEpisode => ResetNowAsync(cancellation),
        StartRecording r => Task.FromResult(StartRecordingNow(r.Path)),
        StopRecording => Task.FromResult(StopRecordingNow()),
        EmergencyStop r => Task.FromResult(Announce(LoopEventKind.EmergencyStop,
            string.IsNullOrWhiteSpace(r.Reason) ? "emergency stop" : $"emergency stop: {r.Reason}",
            "emergency stop latched: the robot holds its safe action until ReleaseEmergencyStop")),
        ReleaseEmergencyStop r => ReleaseNowAsync(r.LatchesWhenAsked, cancellation),
        _ => throw new ArgumentOutOfRangeException(nameof(request), request, "unknown control request"),
    };

    private async Task<string> SetModeNowAsync(ControlMode mode, CancellationToken cancellation)
    {
        string name = mode.ToString().ToLowerInvariant();
        if (await AskLoopAsync(LoopRequestKind.SetMode, (int)mode, cancellation) == LoopAnswer.NoPolicy)
        {
            throw new ControlRefusedException(ControlFailure.FailedPrecondition, $"mode {name} needs a policy, and this robot was started without one");
        }
        return $"mode is {name}";
    }

    private async Task<string> ResetNowAsync(CancellationToken cancellation)
    {
        await AskLoopAsync(LoopRequestKind.ResetEpisode, 0, cancellation);
        // The loop publishes its status before it answers: this is the episode the reset began.
        ulong started = _loop.Status.Read().Episode;
        return string.Create(CultureInfo.InvariantCulture, $"episode {started - 1} ended; episode {started} started");
    }

    private string StartRecordingNow(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ControlRefusedException(ControlFailure.InvalidArgument, "path: where on the robot to write the log");
        }
        if (_recording is not null)
        {
            throw new ControlRefusedException(ControlFailure.FailedPrecondition, $"the robot is already recording to {_recordingPath}");
        }
        RequireLoopRunning();
        bool existed = File.Exists(path);
        TickRecorder recorder;
        try
        {
            recorder = TickRecorder.Create(path, _loop.EpisodeInfo);
        }
        catch (IOException e)
        {
            throw new ControlRefusedException(existed ? ControlFailure.AlreadyExists : ControlFailure.InvalidArgument, e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ControlRefusedException(ControlFailure.PermissionDenied, e.Message, e);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // A path the file system cannot take (a NUL byte in it, say).
            throw new ControlRefusedException(ControlFailure.InvalidArgument, $"path: {e.Message}", e);
        }
        // From the next record the loop publishes: the log opens at a tick boundary, mid-episode if need be.
        recorder.Start(_loop.Ticks, _loop.EndReasons, _loop.EpisodeInfo, _loop.Ticks.Published, gateTheWriter: !_loop.Options.Paced, _loop.RecordingAlarm, _loop.OverrideOperators);
        _ownsRecording = true;
        Volatile.Write(ref _recording, recorder);
        Volatile.Write(ref _recordingPath, path);
        return Announce(LoopEventKind.RecordingStarted, $"recording to {path}", $"recording to {path}");
    }

    private string StopRecordingNow()
    {
        var recorder = _recording ?? throw new ControlRefusedException(ControlFailure.FailedPrecondition, "the robot is not recording");
        string path = _recordingPath;
        _ownsRecording = false;
        Volatile.Write(ref _recording, null);
        Volatile.Write(ref _recordingPath, "");
        if (recorder.Close(_loop.Ticks.Published) is { } failure)
        {
            throw new ControlRefusedException(ControlFailure.DataLoss, string.Create(CultureInfo.InvariantCulture,
                $"the recording to {path} had failed ({failure.Error}): {failure.StepsKept} steps kept in the file, {recorder.StepsDroppedByFailure} dropped; `trainer log recover` closes a copy"));
        }
        return Announce(LoopEventKind.RecordingStopped, $"stopped recording to {path}", $"stopped recording to {path}");
    }

    private async Task<string> ReleaseNowAsync(long latchesWhenAsked, CancellationToken cancellation)
    {
        switch (await AskLoopAsync(LoopRequestKind.ReleaseStop, latchesWhenAsked, cancellation))
        {
            case LoopAnswer.NotStopped:
                throw new ControlRefusedException(ControlFailure.FailedPrecondition, "the robot is not emergency-stopped");
            case LoopAnswer.StopInputActive:
                throw new ControlRefusedException(ControlFailure.FailedPrecondition, "the robot's own emergency-stop input is still active: release it on the robot first");
        }
        return Announce(LoopEventKind.EmergencyStopReleased, "emergency stop released", "emergency stop released");
    }

    /// <summary>Posts a request to the loop and waits (bounded) for its answer; a request the loop never took is withdrawn.</summary>
    private async Task<LoopAnswer> AskLoopAsync(LoopRequestKind kind, long argument, CancellationToken cancellation)
    {
        RequireLoopRunning();
        var mailbox = _loop.Mailbox;
        long id = mailbox.Post(kind, argument);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(LoopAnswerTimeout);
        using var timer = new PeriodicTimer(LoopAnswerPoll);
        LoopAnswer answer;
        while (!mailbox.TryGetAnswer(id, out answer))
        {
            bool stopped = !_loop.IsRunning;
            if ((stopped || timeout.IsCancellationRequested) && mailbox.TryWithdraw(id))
            {
                throw stopped ? LoopStopped()
                    : cancellation.IsCancellationRequested ? new OperationCanceledException(cancellation)
                    : new ControlRefusedException(ControlFailure.DeadlineExceeded, "the control loop did not take the request in time; it was withdrawn");
            }
            if (stopped && !mailbox.TryGetAnswer(id, out answer))
            {
                // Taken, and the loop ended before answering (it failed mid-tick): nobody will answer now.
                throw new ControlRefusedException(ControlFailure.Unavailable, "the control loop stopped while it carried out the request; it may have applied");
            }
            // Taken (or still waiting): the loop answers within the tick that took it.
            await timer.WaitForNextTickAsync(CancellationToken.None);
        }
        return answer;
    }

    private void RequireLoopRunning()
    {
        if (!_loop.IsRunning)
        {
            throw LoopStopped();
        }
    }

    private static ControlRefusedException LoopStopped() => new(ControlFailure.Unavailable, "the control loop has stopped");

    /// <summary>Tells every event subscriber what was done, once, and returns the reply.</summary>
    private string Announce(LoopEventKind kind, string eventText, string reply)
    {
        var status = _loop.Status.Read();
        _events.Publish(new LoopEvent(kind, MonotonicClock.NowNs(), status.Episode, status.EpisodeTick, Text: eventText, Mode: status.Mode));
        return reply;
    }

    private abstract record Request;

    private sealed record SetMode(ControlMode Mode) : Request;

    private sealed record ResetEpisode : Request;

    private sealed record StartRecording(string Path) : Request;

    private sealed record StopRecording : Request;

    private sealed record EmergencyStop(string Reason) : Request;

    private sealed record ReleaseEmergencyStop(long LatchesWhenAsked) : Request;

    private sealed record Pending(Request Request, TaskCompletionSource<string> Reply, CancellationToken Cancellation);
}
