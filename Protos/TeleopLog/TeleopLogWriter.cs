using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;

namespace Robotics.Protos.TeleopLog;

/// <summary>
/// Writes a teleop log: episode starts, steps, episode ends and the recorder's drop counts as protobuf messages
/// on their own MCAP topics, packed into CRC-checked chunks (compressed, fsynced one by one, closed at
/// <see cref="TeleopLogWriterOptions.ChunkSizeBytes"/> or <see cref="TeleopLogWriterOptions.ChunkDuration"/>), so
/// a crash or power cut loses at most the chunk being filled. Synchronous and single-threaded: on a robot its
/// caller is the recorder's own thread (the controller's tick recorder), never the control loop; tools and tests
/// call it directly to write a log from data. <see cref="Dispose"/> writes the summary and the footer.
/// </summary>
public sealed class TeleopLogWriter : IDisposable
{
    private readonly EpisodeInfo _robot;
    private readonly TeleopLogWriterOptions _options;
    private readonly McapWriter _mcap;
    private readonly long _unixOffsetNs;
    private readonly ushort _startChannel;
    private readonly ushort _stepChannel;
    private readonly ushort _endChannel;
    private readonly ushort _statusChannel;
    private readonly Step _step = new();
    private readonly RecorderStatus _status = new();
    private long _droppedSteps;
    private long _droppedEvents;
    private bool _disposed;

    /// <summary>Creates <paramref name="path"/> (which must not exist) and starts the log in it.</summary>
    public static TeleopLogWriter Create(string path, EpisodeInfo robot, TeleopLogWriterOptions? options = null)
    {
        options ??= new TeleopLogWriterOptions();
        options.Validate();
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            return new TeleopLogWriter(stream, robot, options);
        }
        catch
        {
            // The header could not be written (a full disk): leave no empty file behind.
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Starts a log in <paramref name="stream"/>, which the writer owns and disposes.</summary>
    public TeleopLogWriter(Stream stream, EpisodeInfo robot, TeleopLogWriterOptions? options = null)
    {
        _robot = robot;
        _options = options ?? new TeleopLogWriterOptions();
        _options.Validate();
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
    }

    /// <summary>The robot and task the log was opened for.</summary>
    public EpisodeInfo Robot => _robot;

    /// <summary>Steps written so far.</summary>
    public long WrittenSteps { get; private set; }

    /// <summary>Steps in chunks that have reached the file: what a failure of the file from now on leaves recoverable.</summary>
    public long PersistedSteps => (long)_mcap.PersistedMessages(_stepChannel);

    /// <summary>Opens an episode; <paramref name="info"/> defaults to the log's own and must have its vector sizes.</summary>
    public void BeginEpisode(ulong episodeId, long timestampNs, EpisodeInfo? info = null)
    {
        info ??= _robot;
        if (!ReferenceEquals(info, _robot) && !info.HasSameShape(_robot))
        {
            throw new ArgumentException("info: an episode's observation and action sizes must match the recording's");
        }
        Write(_startChannel, timestampNs, TeleopMessages.EpisodeStart(episodeId, timestampNs, _unixOffsetNs, info));
    }

    /// <summary>Writes a step its caller filled (a recorder reusing one message per log).</summary>
    /// <exception cref="ArgumentException">Its vectors do not fit the log's robot, or its policy fields do not fit its head.</exception>
    public void WriteStep(Step step)
    {
        CheckShape(step);
        Write(_stepChannel, (long)step.TimestampNs, step);
        WrittenSteps++;
    }

    /// <summary>Writes a step given as spans (tools and tests writing a log from data).</summary>
    public void Append(in StepRecord record)
    {
        _step.TimestampNs = (ulong)record.TimestampNs;
        _step.EpisodeId = record.EpisodeId;
        _step.Tick = record.Tick;
        _step.Source = record.Source;
        _step.Flags = (uint)record.Flags;
        _step.LatenessNs = record.LatenessNs;
        _step.InferenceNs = record.InferenceNs;
        _step.WorkNs = record.WorkNs;
        _step.PolicyHead = record.Head;
        _step.Operator = record.Operator ?? "";
        _step.Observation.ReplaceWith(record.Observation);
        _step.Action.ReplaceWith(record.Action);
        _step.PolicyMean.ReplaceWith(record.PolicyMean);
        _step.PolicyLogStd.ReplaceWith(record.PolicyLogStd);
        _step.PolicyLogits.ReplaceWith(record.PolicyLogits);
        WriteStep(_step);
    }

    /// <summary>Closes an episode.</summary>
    /// <param name="droppedSteps">Steps of this episode the recorder lost (its buffer overflowed).</param>
    public void EndEpisode(ulong episodeId, long timestampNs, EpisodeOutcome outcome, string reason, ulong droppedSteps = 0) =>
        Write(_endChannel, timestampNs, TeleopMessages.EpisodeEnd(episodeId, timestampNs, outcome, reason, droppedSteps));

    /// <summary>Records what the recorder has lost so far (a RecorderStatus message, and the totals the summary will carry).</summary>
    public void WriteDrops(long timestampNs, long droppedSteps, long droppedEvents)
    {
        (_droppedSteps, _droppedEvents) = (droppedSteps, droppedEvents);
        _status.TimestampNs = (ulong)timestampNs;
        _status.DroppedStepsTotal = (ulong)droppedSteps;
        _status.DroppedEventsTotal = (ulong)droppedEvents;
        Write(_statusChannel, timestampNs, _status);
    }

    /// <summary>Closes the open chunk if its first message is older than the chunk duration (call while idle, so quiet periods still reach the disk).</summary>
    public void FlushIfDue(long nowNs)
    {
        if (_mcap.OpenChunkStartTime is ulong chunkStart && LogTime(nowNs) - chunkStart >= (ulong)(_options.ChunkDuration.Ticks * 100))
        {
            _mcap.FlushChunk();
        }
    }

    /// <summary>Writes what is buffered, the drop totals, the summary and the footer, and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            _mcap.WriteMetadata(TeleopTopics.MetadataName, new Dictionary<string, string>
            {
                [TeleopTopics.DroppedStepsKey] = _droppedSteps.ToString(CultureInfo.InvariantCulture),
                [TeleopTopics.DroppedEventsKey] = _droppedEvents.ToString(CultureInfo.InvariantCulture),
                ["written_steps"] = WrittenSteps.ToString(CultureInfo.InvariantCulture),
                [TeleopTopics.RobotKey] = _robot.Robot,
                ["compression"] = _options.Compression.ToRecordName(),
            });
        }
        finally
        {
            _mcap.Dispose();
        }
    }

    /// <summary>
    /// Closes the file without the summary, after a write failed (the stream is broken; the chunks written before
    /// stay recoverable). Nothing more is written: on a disk that has room again, a footer after a chunk cut short
    /// would make the file look closed and whole.
    /// </summary>
    public void Abandon()
    {
        _disposed = true;
        try
        {
            _mcap.Abandon();
        }
        catch (Exception)
        {
            // The stream is already broken, or the writer is: the first error is the one worth reporting, and this
            // runs on the recorder's thread, where another exception would end the process.
        }
    }

    private void Write(ushort channel, long timestampNs, Google.Protobuf.IMessage message)
    {
        FlushIfDue(timestampNs);
        _mcap.WriteMessage(channel, LogTime(timestampNs), message);
    }

    /// <summary>
    /// MCAP log time: the monotonic timestamp shifted to Unix time as of when recording began, so viewers such
    /// as Foxglove show real dates while times within the file stay monotonic.
    /// </summary>
    private ulong LogTime(long monotonicNs) => (ulong)(monotonicNs + _unixOffsetNs);

    private void CheckShape(Step step)
    {
        int actions = _robot.Actions.Count;
        int logits = _robot.DiscreteActions.Count;
        bool policyFits = step.PolicyHead switch
        {
            HeadKind.None => step.PolicyMean.Count == 0 && step.PolicyLogStd.Count == 0 && step.PolicyLogits.Count == 0 && NoComponents(step),
            HeadKind.Gaussian => step.PolicyMean.Count == actions && step.PolicyLogStd.Count == actions && step.PolicyLogits.Count == 0 && NoComponents(step),
            HeadKind.Categorical => step.PolicyLogits.Count == logits && step.PolicyMean.Count == 0 && step.PolicyLogStd.Count == 0 && NoComponents(step),
            HeadKind.GaussianMixture => step.PolicyMean.Count == actions && step.PolicyLogStd.Count == actions && step.PolicyLogits.Count >= 2 &&
                step.ComponentMeans.Count == step.PolicyLogits.Count * actions && step.ComponentLogStds.Count == step.ComponentMeans.Count,
            _ => false,
        };
        if (step.Observation.Count != _robot.Observations.Count || step.Action.Count != actions || !policyFits)
        {
            ThrowStepShape(step);
        }
    }

    private static bool NoComponents(Step step) => step.ComponentMeans.Count == 0 && step.ComponentLogStds.Count == 0;

    [DoesNotReturn]
    private void ThrowStepShape(Step step) =>
        throw new ArgumentException(
            $"step: got {step.Observation.Count} observations, {step.Action.Count} actions, head {step.PolicyHead} with {step.PolicyMean.Count} means, " +
            $"{step.PolicyLogStd.Count} log σ, {step.PolicyLogits.Count} logits, {step.ComponentMeans.Count} component means and {step.ComponentLogStds.Count} log σ; " +
            $"the recording's robot has {_robot.Observations.Count} observations and {_robot.Actions.Count} actions (a Gaussian head gives {_robot.Actions.Count} means and log σ, " +
            $"a categorical one {_robot.DiscreteActions.Count} logits, a mixture of K its mode's {_robot.Actions.Count} means and log σ, K logits and K·{_robot.Actions.Count} component means and log σ, none gives nothing)");
}
