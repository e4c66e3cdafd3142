using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Controller.Safety;
using Robotics.Controller.Shared;
using Robotics.Controller.Ticks;
using Robotics.Hardware.Robots;
using Robotics.Protos;
using Robotics.Protos.Link;

namespace Robotics.Controller.Link;

/// <summary>The loop process's answer to a request.</summary>
/// <param name="Failure">Null when done; else why it was refused.</param>
public sealed record LinkAnswer(ControlFailure? Failure, string Message, long Result, ControlMode Mode, bool EmergencyStopped, string Recording, byte[] Data);

/// <summary>
/// The gateway's side of the link: attached to a loop's segments, it reads the robot's description, status, tick ring,
/// events and applied commands, writes the operator's commands, and asks the loop process to carry out requests. It
/// beats a heartbeat the loop watches, and watches the loop in turn: when the loop's run ends, or its process is gone,
/// <see cref="Down"/> is cancelled with the reason in <see cref="DownReason"/>.
/// </summary>
public sealed class GatewayLink : IDisposable
{
    /// <summary>How often the gateway beats and looks at the loop.</summary>
    public static readonly TimeSpan WatchPeriod = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan AnswerPoll = TimeSpan.FromMilliseconds(1);


    private readonly LinkSegments _segments;
    private readonly SharedCell<LinkStatus> _status;
    private readonly unsafe LinkRequest* _requests;
    private readonly unsafe LinkReply* _replies;
    private readonly bool[] _slotBusy;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _down = new();
    private readonly Thread _watch;
    private readonly ManualResetEventSlim _stopWatching = new();
    private readonly long _generation;
    private readonly bool _ownsSegments;
    private bool _disposed;
    private long _lastRequest;
    private long _lastAnsweredNs;
    private LinkStatus _lastStatus;

    private unsafe GatewayLink(LinkSegments segments, bool ownsSegments)
    {
        _segments = segments;
        _ownsSegments = ownsSegments;
        var geometry = segments.Geometry;
        var loop = segments.Loop;
        Descriptor = RobotDescriptor.Parser.ParseFrom(new ReadOnlySpan<byte>(loop.Start + LinkGeometry.Descriptor, segments.Header.DescriptorLength));
        Robot = new RobotDescription(Descriptor.Robot, Descriptor.RateHz,
            [.. Descriptor.ObservationNames.Select(name => new ObservationSpec(name, "", long.MaxValue))],
            [.. Descriptor.Actions.Select(a => new ActionSpec(a.Name, a.Unit, a.Min, a.Max, float.PositiveInfinity, 0))],
            [.. Descriptor.DiscreteActions]);
        Rules = new CommandRules(Robot, Descriptor.RejectOutOfRange);
        _status = new SharedCell<LinkStatus>(loop.Slice(geometry.Status, SharedCell.BytesFor<LinkStatus>(0)), 0);
        Ticks = TickRing.Attach(loop.Slice(geometry.Ticks, TickRing.BytesFor(geometry.TickCapacity, geometry.Layout)), geometry.TickCapacity, geometry.Layout);
        Events = new EventRing(loop.Slice(geometry.Events, EventRing.BytesFor(geometry.EventCapacity)), geometry.EventCapacity);
        int actions = geometry.Layout.Actions;
        Commands = new SharedCell<LinkCommand>(segments.Gateway.Slice(LinkGeometry.Command, SharedCell.BytesFor<LinkCommand>(actions)), actions);
        Applied = new SharedCell<LinkApplied>(loop.Slice(geometry.Applied, SharedCell.BytesFor<LinkApplied>(actions)), actions);
        _requests = (LinkRequest*)segments.Gateway.Slice(geometry.Requests, (long)geometry.RequestSlots * sizeof(LinkRequest)).Start;
        _replies = (LinkReply*)loop.Slice(geometry.Replies, (long)geometry.RequestSlots * sizeof(LinkReply)).Start;
        _slotBusy = new bool[geometry.RequestSlots];

        ref var presence = ref segments.Presence;
        // The last gateway's address cleared before this one's pid is shown: a supervisor waiting for this process to
        // serve must not take the address the dead one left (the same, on a restart) before this one listens there.
        presence.Address.Set("");
        Volatile.Write(ref presence.Pid, Environment.ProcessId);
        presence.HeartbeatNs = MonotonicClock.NowNs();
        // Requests a gateway before this one posted and the loop has not taken are withdrawn: nobody waits for them now.
        for (int slot = 0; slot < geometry.RequestSlots; slot++)
        {
            Volatile.Write(ref _requests[slot].Id, 0);
        }
        _generation = Interlocked.Increment(ref presence.Generation);
        ReadStatus();
        // Its own thread, not a timer: timer callbacks queue behind a busy thread pool (many clients, blocking calls in a
        // test host), and a heartbeat a second late costs the operator the lease (LoopLink.GatewayLostAfter).
        _watch = new Thread(KeepWatch) { IsBackground = true, Name = "gateway heartbeat" };
        _watch.Start();
    }

    /// <summary>The robot as the loop described it.</summary>
    public RobotDescriptor Descriptor { get; }

    /// <summary>The robot's names and limits (no safe values or rate limits: those are the loop's to apply).</summary>
    public RobotDescription Robot { get; }

    /// <summary>The rules the loop will apply to the operator's commands, to refuse a bad one with its reason first.</summary>
    public CommandRules Rules { get; }

    public TickRing Ticks { get; }

    public EventRing Events { get; }

    /// <summary>The operator's command cell (write through <see cref="SendCommand"/>).</summary>
    public SharedCell<LinkCommand> Commands { get; }

    public SharedCell<LinkApplied> Applied { get; }

    /// <summary>The loop process's id.</summary>
    public int LoopPid => _segments.Header.LoopPid;

    /// <summary>Cancelled once the loop is down (its run ended, or its process is gone).</summary>
    public CancellationToken Down => _down.Token;

    /// <summary>The loop's run ended normally (its link marked stopped), rather than its process dying.</summary>
    public bool RunEnded => _segments.State == LinkState.Stopped;

    /// <summary>Why the robot is down, once it is.</summary>
    public string DownReason { get; private set; } = "";

    /// <summary>Attaches to the link at <paramref name="path"/>, checking its version and (when given) its robot.</summary>
    public static GatewayLink Attach(string path, ulong? expectedRobotHash = null)
    {
        var segments = LinkSegments.Open(path, expectedRobotHash);
        try
        {
            return Attach(segments, ownsSegments: true);
        }
        catch
        {
            segments.Dispose();
            throw;
        }
    }

    /// <summary>Attaches to segments already mapped: a gateway in the loop's own process (a simulation, a test), which leaves them to their creator.</summary>
    public static GatewayLink Attach(LinkSegments segments) => Attach(segments, ownsSegments: false);

    private static GatewayLink Attach(LinkSegments segments, bool ownsSegments)
    {
        string loopFile = LinkSegments.LoopFile(segments.Path);
        int pid = segments.Header.LoopPid;
        if (segments.State != LinkState.Ready)
        {
            throw new LinkNotReadyException($"{loopFile}: the loop has {(segments.State == LinkState.Stopped ? "stopped" : "not finished creating it")}");
        }
        if (!LoopProcess.IsAlive(pid))
        {
            throw new LinkNotReadyException($"{loopFile}: left behind by a loop that is gone (process {pid})");
        }
        return new GatewayLink(segments, ownsSegments);
    }

    /// <summary>The newest status snapshot (the last whole one, if the loop is mid-write).</summary>
    public LinkStatus ReadStatus()
    {
        lock (_gate)
        {
            if (_status.TryRead(out var status, []))
            {
                _lastStatus = status;
            }
            return _lastStatus;
        }
    }

    /// <summary>
    /// A status snapshot taken after the last request this gateway had answered (waiting up to 100 ms for it): a client
    /// that started a recording and then asks for the status sees it (the snapshot is refreshed every 2 ms).
    /// </summary>
    public async Task<LinkStatus> ReadStatusAfterLastAnswerAsync()
    {
        long answered = Interlocked.Read(ref _lastAnsweredNs);
        var status = ReadStatus();
        for (int wait = 0; wait < 100 && status.HeartbeatNs <= answered && !Down.IsCancellationRequested; wait++)
        {
            await Task.Delay(1);
            status = ReadStatus();
        }
        return status;
    }

    /// <summary>Tells the loop process (and whoever started this gateway) where it serves.</summary>
    public void PublishAddress(string address) => _segments.Presence.Address.Set(address);

    /// <summary>Hands the loop an operator's command under <paramref name="lease"/>; the cell has one writer at a time.</summary>
    public void SendCommand(long lease, long sequence, long sentNs, ReadOnlySpan<float> values)
    {
        lock (_gate)
        {
            Commands.Publish(new LinkCommand { Lease = lease, Sequence = sequence, SentNs = sentNs }, values);
        }
    }

    /// <summary>
    /// Asks the loop process to carry out a request and waits for its answer: refusals come back as an answer with a
    /// failure; a loop that is down or does not answer in <paramref name="patience"/> as one too.
    /// </summary>
    public async Task<LinkAnswer> AskAsync(LinkRequestKind kind, long argument = 0, string text = "", TimeSpan? patience = null)
    {
        using var timer = new PeriodicTimer(AnswerPoll);
        // One patience for the whole request, waiting for a slot included. Every slot in use (clients connecting together
        // each ask for the devices' counters, an operator asks for the lease at the same moment): wait for one. Each is
        // answered within a pass or two of the loop's link thread on an idle machine, but on a busy one the passes and
        // these polls stretch, and a burst took over a second; a loop that is down is noticed by Down, not by a deadline.
        long deadline = MonotonicClock.NowNs() + (patience ?? TimeSpan.FromSeconds(15)).Ticks * 100;
        int slot;
        while ((slot = ClaimSlot()) < 0)
        {
            if (Down.IsCancellationRequested)
            {
                return Refusal(ControlFailure.Unavailable, DownReason);
            }
            if (MonotonicClock.NowNs() > deadline)
            {
                return Refusal(ControlFailure.Unavailable, "too many control requests are waiting for the robot; try again");
            }
            await timer.WaitForNextTickAsync();
        }
        try
        {
            long id = ((long)(int)_generation << 32) | (uint)Interlocked.Increment(ref _lastRequest);
            Post(slot, id, kind, argument, text);
            while (!IsAnswered(slot, id))
            {
                if (Down.IsCancellationRequested)
                {
                    return Refusal(ControlFailure.Unavailable, DownReason);
                }
                if (MonotonicClock.NowNs() > deadline)
                {
                    return Refusal(ControlFailure.DeadlineExceeded, "the robot's loop process did not answer the request in time");
                }
                await timer.WaitForNextTickAsync();
            }
            var answer = ReadAnswer(slot);
            Interlocked.Exchange(ref _lastAnsweredNs, MonotonicClock.NowNs());
            return answer;
        }
        finally
        {
            lock (_gate)
            {
                _slotBusy[slot] = false;
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // Waits for a watch under way: it may still cancel Down.
        _stopWatching.Set();
        _watch.Join();
        _stopWatching.Dispose();
        _down.Dispose();
        if (_ownsSegments)
        {
            _segments.Dispose();
        }
    }

    /// <summary>The gateway generation that posted request <paramref name="id"/>: its upper 32 bits.</summary>
    public static int GenerationOf(long id) => (int)(id >> 32);

    /// <summary>The request's fields, then its id: the loop takes it once it sees a new id.</summary>
    private unsafe void Post(int slot, long id, LinkRequestKind kind, long argument, string text)
    {
        var request = _requests + slot;
        request->Kind = (int)kind;
        request->Argument = argument;
        request->Text.Set(text);
        Volatile.Write(ref request->Id, id);
    }

    private unsafe bool IsAnswered(int slot, long id) => Volatile.Read(ref _replies[slot].AnsweredId) == id;

    private unsafe LinkAnswer ReadAnswer(int slot)
    {
        var reply = _replies + slot;
        int length = Math.Clamp(reply->DataLength, 0, LinkReply.DataCapacity);
        var failure = reply->Failure == 0 ? (ControlFailure?)null : (ControlFailure)(reply->Failure - 1);
        return new LinkAnswer(failure, reply->Message.Read() ?? "", reply->Result, (ControlMode)reply->Mode, reply->EmergencyStopped,
            reply->Recording.Read() ?? "", new ReadOnlySpan<byte>(reply->Data, length).ToArray());
    }

    private LinkAnswer Refusal(ControlFailure failure, string message)
    {
        var status = ReadStatus();
        return new(failure, message, 0, (ControlMode)status.Mode, status.Flags.HasFlag(LinkStatusBits.EmergencyStopped), status.RecordingPath.Read() ?? "", []);
    }

    /// <summary>A slot neither this gateway nor the loop is using (one a gateway before left mid-request waits for its answer).</summary>
    private unsafe int ClaimSlot()
    {
        lock (_gate)
        {
            for (int slot = 0; slot < _slotBusy.Length; slot++)
            {
                long taken = Volatile.Read(ref _replies[slot].TakenId);
                if (!_slotBusy[slot] && (taken == 0 || Volatile.Read(ref _replies[slot].AnsweredId) == taken))
                {
                    _slotBusy[slot] = true;
                    return slot;
                }
            }
            return -1;
        }
    }

    private void KeepWatch()
    {
        do
        {
            Watch();
        }
        while (!_stopWatching.Wait(WatchPeriod));
    }

    private void Watch()
    {
        Volatile.Write(ref _segments.Presence.HeartbeatNs, MonotonicClock.NowNs());
        if (Down.IsCancellationRequested)
        {
            return;
        }
        bool loopGone = !LoopProcess.IsAlive(LoopPid);
        string? reason = _segments.State == LinkState.Stopped ? "the robot's control loop has stopped"
            : loopGone ? $"the robot's control loop is down (its process {LoopPid} is gone)"
            : null;
        if (reason is null)
        {
            return;
        }
        DownReason = reason;
        _down.Cancel();
        if (loopGone && _segments.State != LinkState.Stopped)
        {
            // A loop that was killed could not remove its link; the gateway that saw it die does when it may (a gateway of
            // another user may not: the next run removes it).
            try
            {
                _segments.Remove();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next run.
            }
        }
    }
}

/// <summary>The link is there but no loop serves it now (being created, stopped, or left by a loop that died): a gateway may wait for the next.</summary>
public sealed class LinkNotReadyException(string message) : IOException(message);
