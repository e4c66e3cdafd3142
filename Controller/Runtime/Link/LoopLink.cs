using Google.Protobuf;
using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Shared;
using Robotics.Controller.Ticks;
using Robotics.Hardware.Robots;
using Robotics.Protos;
using Robotics.Protos.Link;

namespace Robotics.Controller.Link;

/// <summary>
/// The loop process's side of the link to the gateway, on a thread of its own (never the loop's): every few
/// milliseconds it refreshes the status snapshot, forwards the event hub's events into the event ring, takes the
/// gateway's requests and answers them through the <see cref="ControlPlane"/>, and watches the gateway: a new one, or
/// one gone silent, loses the override lease of the one before. The loop thread itself only reads the operator's
/// command cell and writes the tick ring. Nothing here allocates while no request arrives.
/// </summary>
public sealed class LoopLink : IDisposable
{
    /// <summary>A gateway silent this long has lost the override: its operator's commands had gone stale long before.</summary>
    public static readonly TimeSpan GatewayLostAfter = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(2);

    // Passes between two summaries of the loop's lateness histogram (every 100 ms).
    private const int LatenessEvery = 50;

    private readonly ControlLoop _loop;
    private readonly ControlPlane _plane;
    private readonly LinkSegments _segments;
    private readonly SharedCell<LinkStatus> _status;
    private readonly EventRing _events;
    private readonly EventFanout.Subscription _subscription;
    private readonly GatewayFileReader _gatewayFile;
    private readonly unsafe LinkReply* _replies;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private long _rejectedRequests;
    private long _gatewayGeneration;
    private LinkStatus _snapshot;
    private string? _owner;
    private string? _recordingPath;
    private string? _recordingError;
    private long _passes;

    /// <summary>Starts serving the gateway over <paramref name="segments"/> (made by <see cref="CreateSegments"/>, given to the loop) and marks them ready.</summary>
    public unsafe LoopLink(ControlLoop loop, ControlPlane plane, EventHub hub, LinkSegments segments)
    {
        _loop = loop;
        _plane = plane;
        _segments = segments;
        var geometry = segments.Geometry;
        _status = new SharedCell<LinkStatus>(segments.Loop.Slice(geometry.Status, SharedCell.BytesFor<LinkStatus>(0)), 0);
        _events = new EventRing(segments.Loop.Slice(geometry.Events, EventRing.BytesFor(geometry.EventCapacity)), geometry.EventCapacity);
        _gatewayFile = segments.GatewayReader;
        _replies = (LinkReply*)segments.Loop.Slice(geometry.Replies, (long)geometry.RequestSlots * sizeof(LinkReply)).Start;
        _subscription = hub.Subscribe();
        _gatewayGeneration = _gatewayFile.ReadPresence().Generation;
        PublishStatus(MonotonicClock.NowNs());
        _thread = new Thread(Run) { IsBackground = true, Name = "loop-link" };
        _thread.Start();
        segments.MarkReady();
    }

    /// <summary>Requests from the gateway the loop could not read.</summary>
    public long RejectedRequests => Interlocked.Read(ref _rejectedRequests);

    /// <summary>
    /// Creates the link's segments for a loop driving <paramref name="robot"/>: sized for its tick layout, stamped with the
    /// robot's fingerprint, and carrying what the gateway serves that never changes. Give them to the loop, then to a
    /// <see cref="LoopLink"/>.
    /// </summary>
    /// <param name="groupId">The gateway's group, when it runs as a user of its own (<see cref="LinkAccess"/>).</param>
    public static unsafe LinkSegments CreateSegments(string path, RobotDescription robot, LoopOptions options, PolicyRunner? policy, int? groupId = null)
    {
        var geometry = new LinkGeometry(TickLayout.For(robot, policy), options.TickRingCapacity, LinkGeometry.DefaultEventCapacity,
            LinkGeometry.DefaultRequestSlots, LinkGeometry.DefaultDescriptorCapacity);
        var descriptor = Describe(robot, options, policy).ToByteArray();
        if (descriptor.Length > geometry.DescriptorCapacity)
        {
            throw new ArgumentException($"the robot's description takes {descriptor.Length} bytes; the link holds {geometry.DescriptorCapacity}");
        }
        var segments = LinkSegments.Create(path, geometry, RobotFingerprint.Of(robot), groupId);
        descriptor.CopyTo(new Span<byte>(segments.Loop.Start + LinkGeometry.Descriptor, descriptor.Length));
        segments.Header.DescriptorLength = descriptor.Length;
        return segments;
    }

    /// <summary>Marks the link stopped (an attached gateway reports the robot down); may be called more than once.</summary>
    public void Dispose()
    {
        if (_stop.IsSet)
        {
            return;
        }
        _stop.Set();
        _thread.Join();
        PublishStatus(MonotonicClock.NowNs());
        _segments.MarkStopped();
        _subscription.Dispose();
    }

    private static RobotDescriptor Describe(RobotDescription robot, LoopOptions options, PolicyRunner? policy)
    {
        var descriptor = new RobotDescriptor
        {
            Robot = robot.Name,
            RateHz = options.RateHz,
            StaleAfterMs = (uint)options.OverrideStaleAfter.TotalMilliseconds,
            Fallback = Remote.ProtoMapping.FallbackName(options.Fallback),
            RejectOutOfRange = options.RejectOutOfRange,
        };
        descriptor.ObservationNames.AddRange(robot.Observations.Select(o => o.Name));
        descriptor.Actions.AddRange(robot.Actions.Select(a => new ActionLimits { Name = a.Name, Unit = a.Unit, Min = a.Min, Max = a.Max }));
        descriptor.DiscreteActions.AddRange(robot.DiscreteActions);
        if (policy is not null)
        {
            descriptor.Model = new Protos.Control.ModelInfo
            {
                Path = policy.Path,
                Kind = policy.Head.MetadataName,
                HelpThreshold = options.Help?.ThresholdFor(policy.Metadata) ?? 0,
                HelpObservationZ = options.Help?.ObservationZThresholdFor(policy.Metadata) ?? 0,
                HelpNovelty = options.Help is null ? 0 : policy.Metadata.HelpNoveltyThreshold ?? 0,
                EnsembleMembers = (uint)policy.Metadata.EnsembleMembers,
            };
        }
        return descriptor;
    }

    private void Run()
    {
        do
        {
            long now = MonotonicClock.NowNs();
            WatchGateway(now);
            ForwardEvents();
            TakeRequests();
            PublishStatus(now);
        }
        while (!_stop.Wait(Period));
    }

    /// <summary>A new gateway (its generation moved) or a silent one loses the lease; so does an operator on a robot whose stop latched.</summary>
    private void WatchGateway(long now)
    {
        var leases = _plane.Leases;
        var presence = _gatewayFile.ReadPresence();
        long generation = presence.Generation;
        if (generation != _gatewayGeneration)
        {
            _gatewayGeneration = generation;
            leases.Revoke("gateway restarted");
        }
        if (!_loop.Overrides.Held)
        {
            return;
        }
        if (_loop.Mailbox.StopLatched)
        {
            // The robot's own stop input latched the stop (an operator's stop revokes the lease itself).
            leases.Revoke("emergency stop");
        }
        else if (now - presence.HeartbeatNs > GatewayLostAfter.Ticks * 100)
        {
            leases.Revoke("gateway lost");
        }
    }

    private void ForwardEvents()
    {
        while (_subscription.Reader.TryRead(out var e))
        {
            _events.Write(e);
        }
    }

    /// <summary>Takes each newly posted request (a slot whose id moved) and answers it when the control plane has.</summary>
    private unsafe void TakeRequests()
    {
        for (int slot = 0; slot < _segments.Geometry.RequestSlots; slot++)
        {
            // A slot's next request waits until its last is answered: at most one per slot in flight, whatever the gateway writes.
            if (_replies[slot].TakenId != _replies[slot].AnsweredId || !_gatewayFile.TryReadRequest(slot, out var request))
            {
                continue;
            }
            long id = request.Id;
            // A request of a gateway generation this pass's WatchGateway has not seen yet waits for the next pass: taken
            // now, the lease it grants would be revoked at once as the new generation's "gateway restarted".
            if (id == 0 || id == _replies[slot].TakenId || GatewayLink.GenerationOf(id) != (int)_gatewayGeneration)
            {
                continue;
            }
            _replies[slot].TakenId = id;
            _ = AnswerAsync(slot, id, request);
        }
    }

    private async Task AnswerAsync(int slot, long id, LinkRequest request)
    {
        int failure = 0;
        string message;
        long result = 0;
        byte[]? data = null;
        try
        {
            (message, result, data) = await CarryOutAsync(request);
        }
        catch (ControlRefusedException e)
        {
            (failure, message) = ((int)e.Failure + 1, e.Message);
        }
        catch (LinkRequestException e)
        {
            Interlocked.Increment(ref _rejectedRequests);
            (failure, message) = ((int)ControlFailure.InvalidArgument + 1, e.Message);
        }
#pragma warning disable CA1031 // Every request is answered, whatever went wrong: an unanswered one would hold its slot, and the e-stop may need it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            (failure, message) = ((int)ControlFailure.Unavailable + 1, $"the robot could not carry out the request: {e.Message}");
        }
        WriteReply(slot, id, failure, message, result, data);
    }

    /// <summary>The answer's fields, then its id: the gateway reads them once it sees the id.</summary>
    private unsafe void WriteReply(int slot, long id, int failure, string message, long result, byte[]? data)
    {
        var reply = _replies + slot;
        reply->Failure = failure;
        reply->Result = result;
        reply->Message.Set(message);
        reply->Recording.Set(_plane.RecordingPath);
        reply->Mode = (byte)_loop.Status.Read().Mode;
        reply->EmergencyStopped = _loop.Mailbox.StopLatched;
        reply->DataLength = data?.Length ?? 0;
        data?.CopyTo(new Span<byte>(reply->Data, LinkReply.DataCapacity));
        Volatile.Write(ref reply->AnsweredId, id);
    }

    private async Task<(string Message, long Result, byte[]? Data)> CarryOutAsync(LinkRequest request)
    {
        string text = request.Text.Read() ?? throw new LinkRequestException("the request's text is not valid UTF-8 within its length");
        var none = CancellationToken.None;
        switch ((LinkRequestKind)request.Kind)
        {
            case LinkRequestKind.SetMode when request.Argument is >= 0 and <= int.MaxValue && Enum.IsDefined((ControlMode)request.Argument):
                return (await _plane.SetModeAsync((ControlMode)request.Argument, none), 0, null);
            case LinkRequestKind.ResetEpisode:
                return (await _plane.ResetEpisodeAsync(none), 0, null);
            case LinkRequestKind.StartRecording:
                return (await _plane.StartRecordingAsync(text, none), 0, null);
            case LinkRequestKind.StopRecording:
                return (await _plane.StopRecordingAsync(none), 0, null);
            case LinkRequestKind.EmergencyStop:
                return (await _plane.EmergencyStopAsync(text, none), 0, null);
            case LinkRequestKind.ReleaseEmergencyStop:
                return (await _plane.ReleaseEmergencyStopAsync(none), 0, null);
            case LinkRequestKind.TakeOver:
                return ("granted", _plane.Leases.Take(text), null);
            case LinkRequestKind.ReleaseOverride:
                _plane.Leases.Release(request.Argument, text);
                return ("released", 0, null);
            case LinkRequestKind.DeviceCounters:
                return ("devices", 0, DeviceCounters.Serialize(_loop.Hardware, LinkReply.DataCapacity));
            default:
                throw new LinkRequestException($"the gateway sent a request the loop cannot read (kind {request.Kind}, argument {request.Argument})");
        }
    }

    private void PublishStatus(long now)
    {
        var status = _loop.Status.Read();
        var statistics = _loop.Statistics;
        var recording = _plane.Recording;
        var failure = recording?.Failure;
        ref var s = ref _snapshot;
        s.HeartbeatNs = now;
        s.StartedAtNs = _loop.StartedAtNs;
        s.Ticks = status.Ticks;
        s.Episode = status.Episode;
        s.EpisodeTick = status.EpisodeTick;
        s.Overruns = statistics.Overruns;
        if (++_passes % LatenessEvery == 1)
        {
            // Percentiles walk the whole histogram: ten times a second is plenty for a status.
            var lateness = statistics.Lateness.Summarize().InMicroseconds();
            (s.LatenessP50Us, s.LatenessP99Us) = (lateness.P50, lateness.P99);
        }
        s.Lease = _loop.Overrides.Lease;
        s.RecordingStepsKept = failure?.StepsKept ?? 0;
        s.RecordingStepsDropped = recording?.StepsDroppedByFailure ?? 0;
        s.RejectedCommands = _loop.Overrides.RejectedCommands;
        s.RejectedRequests = RejectedRequests;
        s.WatchdogTrips = _loop.WatchdogTrips;
        s.RecorderDroppedSteps = recording?.DroppedSteps ?? 0;
        s.Mode = (byte)status.Mode;
        s.Fault = (byte)status.Fault;
        s.Flags = (_loop.IsRunning ? LinkStatusBits.LoopRunning : 0) | (_loop.Mailbox.StopLatched ? LinkStatusBits.EmergencyStopped : 0)
            | (status.StopInputActive ? LinkStatusBits.StopInputActive : 0) | (status.OverrideStale ? LinkStatusBits.OverrideStale : 0)
            | (recording is not null ? LinkStatusBits.Recording : 0) | (failure is not null ? LinkStatusBits.RecordingFailed : 0);
        // Encoded again only when they changed (a new string): most passes change none of them.
        SetIfChanged(ref s.OverrideOwner, ref _owner, _plane.Leases.Holder);
        SetIfChanged(ref s.RecordingPath, ref _recordingPath, _plane.RecordingPath);
        SetIfChanged(ref s.RecordingError, ref _recordingError, failure?.Error);
        _status.Publish(s, []);
    }

    private static void SetIfChanged(ref FixedText field, ref string? last, string? now)
    {
        if (!ReferenceEquals(now, last))
        {
            field.Set(now);
            last = now;
        }
    }
}


/// <summary>A request from the gateway that the loop cannot read: refused, and counted.</summary>
internal sealed class LinkRequestException(string message) : Exception(message);
