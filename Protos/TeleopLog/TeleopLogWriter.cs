using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;

namespace Robotics.Protos.TeleopLog;

/// <summary>
/// Records a teleop log from the control loop. The loop's calls (<see cref="TryBeginEpisode"/>,
/// <see cref="TryAppend"/>, <see cref="TryEndEpisode"/>) copy into a preallocated ring and return: no
/// allocation, no lock, no I/O. A background thread encodes the entries as protobuf, packs them into
/// CRC-checked chunks, compresses and writes them, and fsyncs each chunk. A full ring refuses the step and
/// counts it; the count is written into the file.
/// </summary>
public sealed class TeleopLogWriter : IDisposable
{
    // Ring slots only episode start/end records may use (see StepRing).
    private const int ReservedForEvents = 16;

    // The writer hands slots back to the loop every this many entries while it drains a long backlog, so
    // the loop sees room appear as the writer works rather than only when a whole backlog is done.
    private const int ReleaseBatch = 64;

    // Drop counts are written at most this often while they keep rising, so an overload adds a few status
    // messages a second to the log rather than one per dropped step.
    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(250);

    private readonly EpisodeInfo _robot;
    private readonly TeleopLogWriterOptions _options;
    private readonly StepRing _ring;
    private readonly McapWriter _mcap;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stopRequested = new();
    private readonly long _unixOffsetNs;
    private readonly ushort _startChannel;
    private readonly ushort _stepChannel;
    private readonly ushort _endChannel;
    private readonly ushort _statusChannel;
    private readonly int _observationCount;
    private readonly int _actionCount;
    private readonly int _logitCount;

    // Written by the producer (the control loop) only.
    private long _droppedSteps;
    private long _droppedEvents;
    private long _droppedAtEpisodeStart;

    // Written by the writer thread only.
    private long _writtenSteps;
    private Exception? _fault;
    private bool _disposed;

    /// <summary>Creates <paramref name="path"/> (which must not exist) and starts recording into it.</summary>
    public static TeleopLogWriter Create(string path, EpisodeInfo robot, TeleopLogWriterOptions? options = null) =>
        new(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16), robot, options);

    /// <summary>Starts recording into <paramref name="stream"/>, which the writer owns and disposes.</summary>
    public TeleopLogWriter(Stream stream, EpisodeInfo robot, TeleopLogWriterOptions? options = null)
    {
        _robot = robot;
        _observationCount = robot.Observations.Count;
        _actionCount = robot.Actions.Count;
        _logitCount = robot.DiscreteActions.Count;
        _options = options ?? new TeleopLogWriterOptions();
        _options.Validate();
        int policyOutputs = robot.IsDiscrete ? robot.DiscreteActions.Count : 2 * robot.Actions.Count;
        _ring = new StepRing(_options.RingCapacity, robot.Observations.Count + robot.Actions.Count + policyOutputs, ReservedForEvents);
        _unixOffsetNs = MonotonicClock.UnixOffsetNs();

        _mcap = new McapWriter(stream, _options.ToMcapOptions());
        var channels = new ushort[TeleopTopics.All.Count];
        for (int i = 0; i < channels.Length; i++)
        {
            var (topic, descriptor) = TeleopTopics.All[i];
            ushort schema = _mcap.AddSchema(descriptor.FullName, McapLayout.ProtobufEncoding, TeleopTopics.SchemaData);
            channels[i] = _mcap.AddChannel(schema, topic, McapLayout.ProtobufEncoding);
        }
        (_startChannel, _stepChannel, _endChannel, _statusChannel) = (channels[0], channels[1], channels[2], channels[3]);
        _mcap.Flush();

        _thread = new Thread(Run) { IsBackground = true, Name = "teleop-log-writer", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    /// <summary>Steps refused because the ring was full.</summary>
    public long DroppedSteps => Volatile.Read(ref _droppedSteps);

    /// <summary>Episode start/end records refused because even the ring's reserved slots were full.</summary>
    public long DroppedEvents => Volatile.Read(ref _droppedEvents);

    /// <summary>Steps the writer thread has encoded into the file so far.</summary>
    public long WrittenSteps => Volatile.Read(ref _writtenSteps);

    /// <summary>The error that stopped the writer thread (disk full, device gone), or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Marks the start of an episode. Loop-safe: no allocation, no blocking.</summary>
    /// <param name="info">The robot and task for this episode; the writer's own when null. Must have the writer's vector sizes.</param>
    public bool TryBeginEpisode(ulong episodeId, long timestampNs, EpisodeInfo? info = null)
    {
        info ??= _robot;
        if (!ReferenceEquals(info, _robot) && !info.HasSameShape(_robot))
        {
            ThrowShapeMismatch();
        }
        _droppedAtEpisodeStart = _droppedSteps;
        return CountEvent(_ring.TryWriteEvent(RingEntryKind.EpisodeStart, episodeId, timestampNs, info, EpisodeOutcome.Unspecified, 0));
    }

    /// <summary>
    /// Whether <see cref="TryAppend"/> would accept a step now. Loop-safe. A loop with no deadlines (a
    /// simulation run as fast as it goes) waits on it instead of losing steps to a writer it outruns.
    /// </summary>
    public bool HasRoomForStep => _ring.HasRoomForStep;

    /// <summary>Copies one tick into the ring. Loop-safe; false (and counted) when the ring is full.</summary>
    /// <exception cref="ArgumentException">A vector's length does not match the recording's robot.</exception>
    public bool TryAppend(in StepRecord step)
    {
        if (step.Observation.Length != _observationCount || step.Action.Length != _actionCount ||
            (step.PolicyMean.Length != 0 && step.PolicyMean.Length != _actionCount) ||
            step.PolicyLogStd.Length != step.PolicyMean.Length ||
            (step.PolicyLogits.Length != 0 && step.PolicyLogits.Length != _logitCount))
        {
            ThrowStepShape(step.Observation.Length, step.Action.Length, step.PolicyMean.Length, step.PolicyLogStd.Length, step.PolicyLogits.Length);
        }
        if (_ring.TryWriteStep(step))
        {
            return true;
        }
        Volatile.Write(ref _droppedSteps, _droppedSteps + 1);
        return false;
    }

    /// <summary>Marks the end of an episode. Loop-safe when <paramref name="reason"/> is not built per call.</summary>
    public bool TryEndEpisode(ulong episodeId, long timestampNs, EpisodeOutcome outcome, string reason)
    {
        ulong dropped = (ulong)(_droppedSteps - _droppedAtEpisodeStart);
        return CountEvent(_ring.TryWriteEvent(RingEntryKind.EpisodeEnd, episodeId, timestampNs, reason, outcome, dropped));
    }

    /// <summary>
    /// Stops recording: the writer thread writes everything still in the ring, the drop counts, the summary
    /// and the footer, then closes the file. Throws the writer thread's fault, if it had one.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stopRequested.Set();
        _thread.Join();
        _stopRequested.Dispose();
        if (_fault is not null)
        {
            throw new IOException($"the teleop log writer failed: {_fault.Message}", _fault);
        }
    }

    private bool CountEvent(bool accepted)
    {
        if (!accepted)
        {
            Volatile.Write(ref _droppedEvents, _droppedEvents + 1);
        }
        return accepted;
    }

    private void Run()
    {
        var encoder = new StepEncoder();
        var status = new RecorderStatus();
        long lastStatusAt = long.MinValue;
        (long Steps, long Events) lastWrittenDrops = (0, 0);
        try
        {
            while (true)
            {
                bool stopping = _stopRequested.IsSet;
                int drained = Drain(encoder);
                long now = MonotonicClock.NowNs();

                var drops = (DroppedSteps, DroppedEvents);
                if (drops != lastWrittenDrops && (stopping || now - lastStatusAt >= StatusInterval.Ticks * 100))
                {
                    status.TimestampNs = (ulong)now;
                    status.DroppedStepsTotal = (ulong)drops.DroppedSteps;
                    status.DroppedEventsTotal = (ulong)drops.DroppedEvents;
                    _mcap.WriteMessage(_statusChannel, LogTime(now), status);
                    lastWrittenDrops = drops;
                    lastStatusAt = now;
                }

                if (_mcap.OpenChunkStartTime is ulong chunkStart && LogTime(now) - chunkStart >= (ulong)(_options.ChunkDuration.Ticks * 100))
                {
                    _mcap.FlushChunk();
                }
                if (stopping && drained == 0 && _ring.Consumed == _ring.Published)
                {
                    break;
                }
                if (drained == 0)
                {
                    _stopRequested.Wait(_options.PollInterval);
                }
            }
            _mcap.WriteMetadata(TeleopTopics.MetadataName, new Dictionary<string, string>
            {
                [TeleopTopics.DroppedStepsKey] = DroppedSteps.ToString(CultureInfo.InvariantCulture),
                [TeleopTopics.DroppedEventsKey] = DroppedEvents.ToString(CultureInfo.InvariantCulture),
                ["written_steps"] = WrittenSteps.ToString(CultureInfo.InvariantCulture),
                ["robot"] = _robot.Robot,
                ["ring_capacity"] = _ring.Capacity.ToString(CultureInfo.InvariantCulture),
                ["compression"] = _options.Compression.ToRecordName(),
            });
            _mcap.Dispose();
        }
        catch (Exception e)
        {
            // Whatever stopped the writer (disk full, device gone, a bug), the robot's loop keeps running
            // without its recorder: the ring fills and every further step is counted as dropped. The fault
            // surfaces through Fault and from Dispose.
            Volatile.Write(ref _fault, e);
            try
            {
                _mcap.Dispose();
            }
            catch (Exception closing) when (closing is IOException or ObjectDisposedException)
            {
                // The stream is already broken; the first error is the one worth reporting.
            }
        }
    }

    /// <summary>Encodes every published entry; returns how many there were.</summary>
    private int Drain(StepEncoder encoder)
    {
        long published = _ring.Published;
        long first = _ring.Consumed;
        for (long sequence = first; sequence < published; sequence++)
        {
            if ((sequence & (ReleaseBatch - 1)) == 0)
            {
                _ring.ReleaseUpTo(sequence);
            }
            ref readonly var entry = ref _ring.EntryAt(sequence);
            switch (entry.Kind)
            {
                case RingEntryKind.Step:
                    _mcap.WriteMessage(_stepChannel, LogTime(entry.TimestampNs), encoder.Encode(entry, _ring.ValuesAt(sequence)));
                    Volatile.Write(ref _writtenSteps, _writtenSteps + 1);
                    break;
                case RingEntryKind.EpisodeStart:
                    _mcap.WriteMessage(_startChannel, LogTime(entry.TimestampNs), BuildStart(entry));
                    break;
                case RingEntryKind.EpisodeEnd:
                    _mcap.WriteMessage(_endChannel, LogTime(entry.TimestampNs), new EpisodeEnd
                    {
                        EpisodeId = entry.EpisodeId,
                        TimestampNs = (ulong)entry.TimestampNs,
                        Outcome = entry.Outcome,
                        Reason = (string?)entry.Payload ?? "",
                        DroppedSteps = entry.DroppedInEpisode,
                    });
                    break;
            }
        }
        _ring.ReleaseUpTo(published);
        return (int)(published - first);
    }

    private EpisodeStart BuildStart(in RingEntry entry)
    {
        var info = (EpisodeInfo)entry.Payload!;
        var start = new EpisodeStart
        {
            EpisodeId = entry.EpisodeId,
            TimestampNs = (ulong)entry.TimestampNs,
            UnixTimeNs = (ulong)(entry.TimestampNs + _unixOffsetNs),
            Robot = info.Robot,
            ControlRateHz = info.ControlRateHz,
            Task = info.Task,
            Operator = info.Operator,
        };
        start.Observations.AddRange(info.Observations.Select(s => new SignalInfo { Name = s.Name, Unit = s.Unit }));
        start.Actions.AddRange(info.Actions.Select(s => new SignalInfo { Name = s.Name, Unit = s.Unit }));
        start.DiscreteActions.AddRange(info.DiscreteActions);
        return start;
    }

    /// <summary>
    /// MCAP log time: the monotonic timestamp shifted to Unix time as of when recording began, so viewers
    /// such as Foxglove show real dates while times within the file stay monotonic.
    /// </summary>
    private ulong LogTime(long monotonicNs) => (ulong)(monotonicNs + _unixOffsetNs);

    [DoesNotReturn]
    private void ThrowStepShape(int observations, int actions, int means, int logStds, int logits) =>
        throw new ArgumentException(
            $"step: got {observations} observations, {actions} actions, {means} means, {logStds} log σ, {logits} logits; " +
            $"the recording's robot has {_observationCount} observations and {_actionCount} actions " +
            $"(policy outputs: none or {_actionCount} means with as many log σ, or {_logitCount} logits)");

    [DoesNotReturn]
    private static void ThrowShapeMismatch() =>
        throw new ArgumentException("info: an episode's observation and action sizes must match the recording's");

    /// <summary>Fills one reused Step message from a ring entry, so encoding does not allocate per step.</summary>
    private sealed class StepEncoder
    {
        private readonly Step _step = new();

        public Step Encode(in RingEntry entry, ReadOnlySpan<float> values)
        {
            _step.TimestampNs = (ulong)entry.TimestampNs;
            _step.EpisodeId = entry.EpisodeId;
            _step.Tick = entry.Tick;
            _step.Source = entry.Source;
            _step.Flags = (uint)entry.Flags;
            _step.LatenessNs = entry.LatenessNs;
            _step.InferenceNs = entry.InferenceNs;
            _step.WorkNs = entry.WorkNs;
            values = Fill(_step.Observation, values, entry.ObservationCount);
            values = Fill(_step.Action, values, entry.ActionCount);
            values = Fill(_step.PolicyMean, values, entry.MeanCount);
            values = Fill(_step.PolicyLogStd, values, entry.LogStdCount);
            Fill(_step.PolicyLogits, values, entry.LogitsCount);
            return _step;
        }

        private static ReadOnlySpan<float> Fill(Google.Protobuf.Collections.RepeatedField<float> field, ReadOnlySpan<float> values, int count)
        {
            field.Clear();
            foreach (float value in values[..count])
            {
                field.Add(value);
            }
            return values[count..];
        }
    }
}
