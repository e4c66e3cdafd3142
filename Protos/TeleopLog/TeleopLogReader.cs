using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;

namespace Robotics.Protos.TeleopLog;

/// <summary>Which MCAP reader a teleop log is read with.</summary>
public enum TeleopLogAccess
{
    /// <summary>By index when the file was closed properly, else sequentially.</summary>
    Auto,
    Sequential,
    Indexed,
}

/// <summary>How to read a teleop log.</summary>
public sealed record TeleopLogReadOptions
{
    public static TeleopLogReadOptions Strict { get; } = new();

    public TeleopLogAccess Access { get; init; } = TeleopLogAccess.Auto;

    /// <summary>How forgiving to be with damage (a cut tail, corrupt chunks); strict by default.</summary>
    public McapReadOptions Mcap { get; init; } = McapReadOptions.Strict;
}

/// <summary>
/// Reads a teleop log into episodes of steps, checking that its channels carry the schemas this code
/// writes. Every problem is one <see cref="McapFormatException"/> naming the file and byte offset.
/// </summary>
public static class TeleopLogReader
{
    public static TeleopLogFile Read(string path, TeleopLogReadOptions? options = null)
    {
        options ??= TeleopLogReadOptions.Strict;
        using var source = Open(path, options);
        return Read(source);
    }

    /// <summary>Opens the MCAP reader <paramref name="options"/> asks for.</summary>
    public static IMcapMessageSource Open(string path, TeleopLogReadOptions options)
    {
        switch (options.Access)
        {
            case TeleopLogAccess.Indexed:
                return McapIndexedReader.Open(path, options.Mcap);
            case TeleopLogAccess.Sequential:
                return new McapSequentialReader(path, options.Mcap);
        }
        if (EndsWithMagic(path))
        {
            var indexed = McapIndexedReader.Open(path, options.Mcap);
            // Other writers may leave out the chunk index, or chunks altogether (messages straight in the data
            // section): valid MCAP that only a front-to-back read sees whole.
            if (indexed.IndexesEveryChunk)
            {
                return indexed;
            }
            indexed.Dispose();
        }
        return new McapSequentialReader(path, options.Mcap);
    }

    /// <summary>Decodes every message of <paramref name="source"/> into episodes.</summary>
    public static TeleopLogFile Read(IMcapMessageSource source)
    {
        var decoder = new ChannelDecoder(source);
        var episodes = new List<TeleopEpisode>();
        var byId = new Dictionary<ulong, TeleopEpisode>();
        var startOffsets = new Dictionary<ulong, long>();
        long orphans = 0;
        long droppedSteps = 0;
        long droppedEvents = 0;

        foreach (var message in source.ReadMessages())
        {
            switch (decoder.Decode(message))
            {
                case EpisodeStart start:
                    if (startOffsets.TryGetValue(start.EpisodeId, out long earlier))
                    {
                        throw new McapFormatException(source.Path, message.FileOffset, $"episode {start.EpisodeId} starts a second time (first at byte {earlier})");
                    }
                    var episode = new TeleopEpisode(start, source.Path);
                    startOffsets.Add(start.EpisodeId, message.FileOffset);
                    byId.Add(start.EpisodeId, episode);
                    episodes.Add(episode);
                    break;
                case Step step:
                    if (byId.TryGetValue(step.EpisodeId, out var owner))
                    {
                        CheckShape(step, owner, source.Path, message.FileOffset);
                        owner.Add(step);
                    }
                    else
                    {
                        orphans++;
                    }
                    break;
                case EpisodeEnd end:
                    if (byId.TryGetValue(end.EpisodeId, out var ended))
                    {
                        ended.End = end;
                    }
                    break;
                case RecorderStatus status:
                    droppedSteps = Math.Max(droppedSteps, (long)status.DroppedStepsTotal);
                    droppedEvents = Math.Max(droppedEvents, (long)status.DroppedEventsTotal);
                    break;
            }
        }
        decoder.RequireTeleopChannels();
        var issues = new List<McapIssue>(source.Issues);
        issues.AddRange(decoder.Issues);

        var metadata = source.Metadata.LastOrDefault(m => m.Name == TeleopTopics.MetadataName);
        string? robot = null;
        if (metadata is not null)
        {
            if (TeleopTopics.MetadataProblem(metadata) is string problem)
            {
                throw new McapFormatException(source.Path, 0, problem);
            }
            robot = metadata.Values.GetValueOrDefault(TeleopTopics.RobotKey);
            droppedSteps = Math.Max(droppedSteps, ParseCount(metadata, TeleopTopics.DroppedStepsKey));
            droppedEvents = Math.Max(droppedEvents, ParseCount(metadata, TeleopTopics.DroppedEventsKey));
        }
        bool closed = source is McapIndexedReader || (source is McapSequentialReader sequential && sequential.ReachedFooter);
        return new TeleopLogFile(source.Path, episodes, droppedSteps, droppedEvents, orphans, closed, issues) { Robot = robot };
    }

    /// <summary>Every *.mcap file under <paramref name="path"/> (a directory, recursively), or the file itself.</summary>
    public static IReadOnlyList<string> FindLogs(string path)
    {
        if (Directory.Exists(path))
        {
            return [.. Directory.EnumerateFiles(path, "*.mcap", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        }
        if (File.Exists(path))
        {
            return [path];
        }
        throw new FileNotFoundException($"{path}: no such file or directory", path);
    }

    private static void CheckShape(Step step, TeleopEpisode episode, string path, long offset)
    {
        int observations = episode.Start.Observations.Count;
        int actions = episode.Start.Actions.Count;
        if (step.Observation.Count != observations || step.Action.Count != actions)
        {
            throw new McapFormatException(path, offset,
                $"step {step.Tick} of episode {step.EpisodeId} has {step.Observation.Count} observations and {step.Action.Count} actions; its episode declares {observations} and {actions}");
        }
    }

    /// <summary>A count <see cref="TeleopTopics.MetadataProblem"/> found whole; 0 when absent.</summary>
    private static long ParseCount(McapMetadata metadata, string key) =>
        metadata.Values.TryGetValue(key, out string? text) ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : 0;

    private static bool EndsWithMagic(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int length = McapLayout.Magic.Length;
        if (stream.Length < 2 * length)
        {
            return false;
        }
        Span<byte> tail = stackalloc byte[length];
        stream.Position = stream.Length - length;
        stream.ReadExactly(tail);
        return tail.SequenceEqual(McapLayout.Magic);
    }

    /// <summary>Maps each channel to the message type its topic carries, checking its schema once.</summary>
    private sealed class ChannelDecoder(IMcapMessageSource source)
    {
        private readonly Dictionary<ushort, MessageParser?> _parsers = [];
        private readonly Dictionary<ushort, (long Offset, long Count)> _ignored = [];
        private readonly List<McapIssue> _schemaIssues = [];
        private readonly Dictionary<string, MessageDescriptor> _expected =
            TeleopTopics.All.ToDictionary(pair => pair.Topic, pair => pair.Descriptor, StringComparer.Ordinal);
        private bool _sawTeleopChannel;

        /// <summary>The decoded message, or null for a channel outside the teleop log (ignored).</summary>
        public IMessage? Decode(McapMessage message)
        {
            if (!_parsers.TryGetValue(message.ChannelId, out var parser))
            {
                parser = ParserFor(source.Channels[message.ChannelId], message.FileOffset);
                _parsers.Add(message.ChannelId, parser);
            }
            if (parser is null)
            {
                var (offset, count) = _ignored.GetValueOrDefault(message.ChannelId, (message.FileOffset, 0));
                _ignored[message.ChannelId] = (offset, count + 1);
                return null;
            }
            try
            {
                return parser.ParseFrom(message.Data.Span);
            }
            catch (InvalidProtocolBufferException e)
            {
                var channel = source.Channels[message.ChannelId];
                throw new McapFormatException(source.Path, message.FileOffset,
                    $"message {message.Sequence} on {channel.Topic} does not decode as {_expected[channel.Topic].FullName}: {e.Message}", e);
            }
        }

        /// <summary>
        /// Messages the log holds but the episodes leave out (channels on other topics), and teleop schemas whose
        /// stored definition is damaged: a log that reads short says why.
        /// </summary>
        public IEnumerable<McapIssue> Issues => _schemaIssues.Concat(_ignored.Select(pair => new McapIssue(pair.Value.Offset, Ignored(pair.Key, pair.Value.Count))));

        private string Ignored(ushort channelId, long count)
        {
            var channel = source.Channels[channelId];
            string known = source.Schemas.TryGetValue(channel.SchemaId, out var schema) && _expected.Values.Any(d => d.FullName == schema.Name)
                ? $"; its schema {schema.Name} belongs to {_expected.First(pair => pair.Value.FullName == schema.Name).Key}, so its Channel record looks damaged (`trainer log recover` rebuilds it)"
                : "";
            return $"ignored {count} messages on channel {channelId} ('{channel.Topic}', {SchemaName(channel)}): not a teleop log topic{known}";
        }

        /// <summary>Fails when nothing in the file was a teleop log channel: it is some other MCAP file.</summary>
        public void RequireTeleopChannels()
        {
            if (_sawTeleopChannel || source.Channels.Values.Any(c => _expected.ContainsKey(c.Topic)))
            {
                return;
            }
            string found = source.Channels.Count == 0
                ? "no channels at all"
                : string.Join(", ", source.Channels.Values.Select(c => $"{c.Topic} ({SchemaName(c)})"));
            throw new McapFormatException(source.Path, 0, $"not a teleop log: it has none of the channels {string.Join(", ", _expected.Keys)}; it has {found}");
        }

        private MessageParser? ParserFor(McapChannel channel, long offset)
        {
            if (!_expected.TryGetValue(channel.Topic, out var descriptor))
            {
                return null;
            }
            _sawTeleopChannel = true;
            source.Schemas.TryGetValue(channel.SchemaId, out var schema);
            if (channel.MessageEncoding != McapLayout.ProtobufEncoding || schema is null ||
                schema.Encoding != McapLayout.ProtobufEncoding || schema.Name != descriptor.FullName)
            {
                throw new McapFormatException(source.Path, offset,
                    $"channel {channel.Id} on {channel.Topic} carries {SchemaName(channel)} encoded as '{channel.MessageEncoding}'; a teleop log has {descriptor.FullName} encoded as protobuf there");
            }
            if (!DefinesMessage(schema.Data, descriptor.FullName))
            {
                _schemaIssues.Add(new McapIssue(offset, $"the schema of {channel.Topic} ({schema.Name}) holds no readable definition of {descriptor.FullName} (a damaged FileDescriptorSet): read with the built-in definition, but other MCAP tools cannot decode it (`trainer log recover` rebuilds it)"));
            }
            return descriptor.Parser;
        }

        /// <summary>Whether schema data is a FileDescriptorSet that defines <paramref name="fullName"/>.</summary>
        private static bool DefinesMessage(ReadOnlyMemory<byte> data, string fullName)
        {
            if (data.Span.SequenceEqual(TeleopTopics.SchemaData))
            {
                return true;
            }
            try
            {
                var set = FileDescriptorSet.Parser.ParseFrom(data.Span);
                return set.File.Any(file => file.MessageType.Any(message => $"{file.Package}.{message.Name}" == fullName));
            }
            catch (InvalidProtocolBufferException)
            {
                return false;
            }
        }

        private string SchemaName(McapChannel channel) =>
            source.Schemas.TryGetValue(channel.SchemaId, out var schema) ? $"schema '{schema.Name}' ({schema.Encoding})" : "no schema";
    }
}
