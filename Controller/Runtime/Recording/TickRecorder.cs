using Robotics.Controller.Policy.Heads;
using Robotics.Controller.Ticks;
using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Controller.Recording;

/// <summary>
/// Records a loop's ticks into a teleop log, on a thread of its own: it reads the loop's tick ring at its own
/// <see cref="TickCursor"/>, turns each record into the log's messages (a step's policy fields written by its
/// head) and hands them to a <see cref="TeleopLogWriter"/>. The loop never calls it and never waits for it (unless
/// it is an unpaced simulation, see <see cref="TickRing.Gate"/>): a recorder that falls more than the ring behind
/// loses the oldest ticks, counts them, and writes the counts into the log. An episode whose start or end it lost
/// is opened or closed where the records resume, and says so. A recorder whose log fails (a full disk) raises its
/// <see cref="RecordingAlarm"/> at once, closes nothing more into the broken file, and reads on without writing,
/// counting every step it could not keep, until it is stopped.
/// </summary>
public sealed class TickRecorder : IDisposable
{
    /// <summary>The reason an episode still open when recording stops is closed with.</summary>
    public const string RecordingStopped = "recording stopped";

    /// <summary>The reason an episode is closed with when the recorder lost its end record.</summary>
    public const string EndLost = "end not recorded (the recorder fell behind)";

    // Drop counts are written at most this often while they keep rising, so an overload adds a few status
    // messages a second to the log rather than one per lost tick.
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(250);

    private readonly TeleopLogWriter _writer;
    private readonly TeleopLogWriterOptions _options;
    private readonly ManualResetEventSlim _stopRequested = new();
    private readonly Step _step = new();
    private readonly Lock _stopGate = new();
    private Thread? _thread;
    private TickRing? _ring;
    private TickCursor? _cursor;
    private EndReasons? _reasons;
    private OverrideOperators? _operators;
    private EpisodeInfo? _info;
    private long _stopAt = long.MaxValue;
    private string _stopReason = RecordingStopped;
    private ulong _openEpisode;
    private bool _episodeOpen;
    private long _lostAtEpisodeStart;
    private long _lostAtLastEnd;
    private long _writtenSteps;
    private long _stepsTaken;
    private long _lastStatusAt = long.MinValue;
    private long _lastWrittenLost;
    private RecordingAlarm? _alarm;
    private Exception? _fault;
    private RecordingFailure? _failure;
    private long _droppedByFailure;
    private bool _failureHandedOver;
    private bool _stopped;

    /// <summary>Creates the log at <paramref name="path"/> (which must not exist) now, so a bad path fails here, before any tick.</summary>
    public static TickRecorder Create(string path, EpisodeInfo robot, TeleopLogWriterOptions? options = null)
    {
        options ??= new TeleopLogWriterOptions();
        return new TickRecorder(TeleopLogWriter.Create(path, robot, options), options, path);
    }

    /// <summary>Records into <paramref name="writer"/>, which the recorder owns and disposes.</summary>
    public TickRecorder(TeleopLogWriter writer, TeleopLogWriterOptions? options = null, string? path = null)
    {
        _writer = writer;
        _options = options ?? new TeleopLogWriterOptions();
        Path = path;
    }

    /// <summary>The log's path, when it was created from one.</summary>
    public string? Path { get; }

    /// <summary>This recorder's place in the ring, once started.</summary>
    public TickCursor? Cursor => _cursor;

    /// <summary>Ticks lost because the recorder fell more than the ring behind.</summary>
    public long DroppedSteps => _cursor?.Lost ?? 0;

    /// <summary>Steps written into the log so far.</summary>
    public long WrittenSteps => Volatile.Read(ref _writtenSteps);

    /// <summary>The error that stopped the recorder's thread (disk full, device gone), or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>What the failure of the log left, or null while it is writing (or closed it).</summary>
    public RecordingFailure? Failure => Volatile.Read(ref _failure);

    /// <summary>
    /// Steps the log does not have because it failed: those it had taken but not yet written out in a complete chunk
    /// when the write failed, and every step the loop has run since. Goes on rising until the recorder is stopped.
    /// </summary>
    public long StepsDroppedByFailure => Volatile.Read(ref _droppedByFailure);

    /// <summary>Starts reading <paramref name="ring"/> at record <paramref name="start"/> on the recorder's thread.</summary>
    /// <param name="info">The robot and task each episode start records (the loop's).</param>
    /// <param name="gateTheWriter">Make the ring's writer wait for this recorder (an unpaced simulation, see <see cref="TickRing.Gate"/>):
    /// set before the thread starts, so a recorder that fails at once still lets go of it.</param>
    /// <param name="alarm">Raised when the log fails, for the loop to see at its next tick (the loop's <see cref="RecordingAlarm"/>).</param>
    /// <param name="operators">Who held the override leases the steps name (the loop's); null: a ring no override operator drives.</param>
    public void Start(TickRing ring, EndReasons reasons, EpisodeInfo info, long start, bool gateTheWriter = false, RecordingAlarm? alarm = null,
        OverrideOperators? operators = null)
    {
        lock (_stopGate)
        {
            if (_thread is not null || _stopped)
            {
                throw new InvalidOperationException(_stopped ? "the recorder was stopped before it started" : "the recorder is already started");
            }
            _ring = ring;
            _cursor = new TickCursor(ring, start);
            _reasons = reasons;
            _operators = operators;
            _info = info;
            _alarm = alarm;
            if (gateTheWriter)
            {
                ring.Gate = _cursor;
            }
            _thread = new Thread(Run) { IsBackground = true, Name = "tick-recorder", Priority = ThreadPriority.BelowNormal };
            _thread.Start();
        }
    }

    /// <summary>
    /// Stops after record <paramref name="end"/> − 1 (what the ring holds now, when called with its
    /// <see cref="TickRing.Published"/>): writes what is left, closes an open episode with <paramref name="reason"/>,
    /// then the drop counts, the summary and the footer. Throws the recorder thread's fault, if it had one and
    /// <see cref="Close"/> has not already handed it to a caller.
    /// </summary>
    public void Stop(long end, string reason = RecordingStopped)
    {
        bool handedOver = Volatile.Read(ref _failureHandedOver);
        StopThread(end, reason);
        if (Fault is { } fault && !handedOver)
        {
            throw new IOException($"the tick recorder failed: {fault.Message}", fault);
        }
    }

    /// <summary>
    /// Stops as <see cref="Stop"/> does, and returns what a failure of the log left instead of throwing it (null
    /// when the log was closed whole): for a caller that reports the failure itself, as a run's summary does.
    /// </summary>
    public RecordingFailure? Close(long end, string reason = RecordingStopped)
    {
        StopThread(end, reason);
        Volatile.Write(ref _failureHandedOver, true);
        return Failure;
    }

    private void StopThread(long end, string reason)
    {
        // Whoever stops first (the control plane, the command that started the run) does it; the other waits for it.
        lock (_stopGate)
        {
            if (!_stopped)
            {
                _stopped = true;
                _stopReason = reason;
                Volatile.Write(ref _stopAt, end);
                _stopRequested.Set();
                if (_thread is null)
                {
                    _writer.Dispose();
                }
                else
                {
                    _thread.Join();
                }
                _stopRequested.Dispose();
            }
        }
    }

    /// <summary>Stops after everything the ring holds now.</summary>
    public void Dispose() => Stop(_ring?.Published ?? 0);

    /// <summary>
    /// For a run that failed before its first tick: closes the log and deletes it, as it holds nothing but its
    /// header. Only a log this recorder created (never an existing file: creating refuses one) and never started.
    /// </summary>
    public void Discard()
    {
        if (_thread is not null || Path is null)
        {
            throw new InvalidOperationException("only a recording created from a path and never started can be discarded");
        }
        Dispose();
        File.Delete(Path);
    }

    private void Run()
    {
        var cursor = _cursor!;
        try
        {
            Follow(cursor, Write);
            if (_episodeOpen)
            {
                EndEpisode(MonotonicClock.NowNs(), EpisodeOutcome.Aborted, _stopReason);
            }
            _ring!.ReleaseGate(cursor);
            _writer.WriteDrops(MonotonicClock.NowNs(), cursor.Lost, 0);
            _writer.Dispose();
        }
        catch (Exception e)
        {
            // Whatever stopped the log (disk full, device gone, a bug), the loop keeps running without it: the ring
            // goes on overwriting. The loop hears of it through the alarm; the steps from here on are counted.
            Fail(cursor, e);
            Follow(cursor, CountDropped);
        }
    }

    /// <summary>Reads the ring with <paramref name="drain"/> until stopped and past the stop's record.</summary>
    private void Follow(TickCursor cursor, Func<TickCursor, long, int> drain)
    {
        while (true)
        {
            long stopAt = Volatile.Read(ref _stopAt);
            if (stopAt != long.MaxValue && cursor.Next >= stopAt)
            {
                return;
            }
            if (drain(cursor, stopAt) == 0)
            {
                _stopRequested.Wait(_options.PollInterval);
            }
        }
    }

    /// <summary>Writes what the ring holds, the drop counts when due, and a chunk when due; returns how many records were read.</summary>
    private int Write(TickCursor cursor, long stopAt)
    {
        int drained = Drain(cursor, stopAt);
        long now = MonotonicClock.NowNs();
        long lost = cursor.Lost;
        if (lost != _lastWrittenLost && (stopAt != long.MaxValue || now - _lastStatusAt >= StatusInterval.Ticks * 100))
        {
            _writer.WriteDrops(now, lost, 0);
            (_lastWrittenLost, _lastStatusAt) = (lost, now);
        }
        _writer.FlushIfDue(now);
        return drained;
    }

    /// <summary>
    /// The log failed: what it kept is what reached the file in complete chunks; the steps taken since are lost with
    /// the chunk being written. Nothing more goes into the file, the loop no longer waits for this recorder, and
    /// the alarm tells the loop.
    /// </summary>
    private void Fail(TickCursor cursor, Exception e)
    {
        long kept = _writer.PersistedSteps;
        Volatile.Write(ref _droppedByFailure, _stepsTaken - kept);
        var failure = new RecordingFailure(Path ?? "(a stream)", RecordingFailure.Describe(e), kept);
        Volatile.Write(ref _fault, e);
        Volatile.Write(ref _failure, failure);
        _ring?.ReleaseGate(cursor);
        _writer.Abandon();
        _alarm?.Raise(failure);
    }

    /// <summary>After a failure: reads the ring without writing, counting its steps as dropped.</summary>
    private int CountDropped(TickCursor cursor, long stopAt)
    {
        int count = 0;
        while (cursor.Next < stopAt && cursor.TryRead())
        {
            count++;
            if (cursor.Header.Kind == TickKind.Step)
            {
                Volatile.Write(ref _droppedByFailure, _droppedByFailure + 1);
            }
        }
        return count;
    }

    /// <summary>Writes every record published before <paramref name="stopAt"/>; returns how many there were.</summary>
    private int Drain(TickCursor cursor, long stopAt)
    {
        int count = 0;
        while (cursor.Next < stopAt && cursor.TryRead())
        {
            count++;
            ref readonly var header = ref cursor.Header;
            switch (header.Kind)
            {
                case TickKind.EpisodeStart:
                    BeginEpisode(header.Episode, header.TimestampNs, fromItsStart: true);
                    break;
                case TickKind.Step:
                    _stepsTaken++;
                    if (!_episodeOpen || header.Episode != _openEpisode)
                    {
                        // Recording began mid-episode, or the start was lost: the episode opens at its first step here.
                        BeginEpisode(header.Episode, header.TimestampNs, fromItsStart: false);
                    }
                    WriteStep(cursor);
                    break;
                case TickKind.EpisodeEnd when _episodeOpen && header.Episode == _openEpisode:
                    EndEpisode(header.TimestampNs, header.Outcome, _reasons!.TextOf(header.Reason));
                    break;
            }
        }
        return count;
    }

    /// <param name="fromItsStart">Opened by its start record; otherwise at its first step here, and the ticks lost since the last episode ended may be its own.</param>
    private void BeginEpisode(ulong episode, long timestampNs, bool fromItsStart)
    {
        if (_episodeOpen)
        {
            EndEpisode(timestampNs, EpisodeOutcome.Unspecified, EndLost);
        }
        _writer.BeginEpisode(episode, timestampNs, _info);
        (_openEpisode, _episodeOpen, _lostAtEpisodeStart) = (episode, true, fromItsStart ? _cursor!.Lost : _lostAtLastEnd);
    }

    private void EndEpisode(long timestampNs, EpisodeOutcome outcome, string reason)
    {
        _writer.EndEpisode(_openEpisode, timestampNs, outcome, reason, (ulong)(_cursor!.Lost - _lostAtEpisodeStart));
        (_episodeOpen, _lostAtLastEnd) = (false, _cursor.Lost);
    }

    private void WriteStep(TickCursor cursor)
    {
        StepMessage.Fill(_step, cursor, _operators);
        _writer.WriteStep(_step);
        Volatile.Write(ref _writtenSteps, _writtenSteps + 1);
    }
}
