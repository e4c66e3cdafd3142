using System.Globalization;

namespace Robotics.Protos.Mcap;

/// <summary>What <see cref="McapRecovery.Recover"/> rescued and what it had to leave behind.</summary>
public sealed record McapRecoveryReport(
    string InputPath,
    string OutputPath,
    long Messages,
    bool InputWasClosed,
    long InputLength,
    long ValidLength,
    IReadOnlyList<McapIssue> Issues);

/// <summary>How <see cref="McapRecovery.Recover"/> writes and what it checks the damaged file's channels against.</summary>
public sealed record McapRecoveryOptions
{
    /// <summary>Replace an existing output file; without it an existing file is refused, never overwritten.</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// The channels the file's recorder writes. Given, every channel is checked against them: a damaged one is
    /// rebuilt when its topic or schema identifies it, and dropped (with an issue) when nothing does. Null keeps
    /// each channel's first intact copy as it is.
    /// </summary>
    public IReadOnlyList<McapKnownChannel>? KnownChannels { get; init; }

    /// <summary>
    /// What is wrong with a metadata record, or null when it may be copied. Metadata records lie outside the chunks,
    /// under no CRC: one this finds damaged is left out (with an issue) rather than copied forward. Null copies all.
    /// </summary>
    public Func<McapMetadata, string?>? MetadataProblem { get; init; }

    public McapWriterOptions? Writer { get; init; }
}

/// <summary>
/// Rescues a cut or damaged MCAP file: keeps every chunk that passes its CRC, whether the summary's chunk index or
/// a scan finds it (<see cref="McapScanner"/>), checks schemas and channels (<see cref="McapChannelResolver"/>), and
/// writes what it kept to a new file with a summary, so indexed readers and viewers open it again. The output is
/// written under a temporary name and renamed into place when complete; nothing is written when nothing is kept.
/// </summary>
public static class McapRecovery
{
    public static McapRecoveryReport Recover(string inputPath, string outputPath, McapRecoveryOptions? options = null)
    {
        options ??= new McapRecoveryOptions();
        if (Path.GetFullPath(inputPath) == Path.GetFullPath(outputPath))
        {
            throw new ArgumentException($"{outputPath}: recovery writes a new file; the output must differ from the input");
        }
        if (!options.Overwrite && Path.Exists(outputPath))
        {
            throw new IOException($"{outputPath} already exists: recovery never overwrites a file (choose another output, or pass --force to replace it)");
        }
        var (indexedChunks, summaryProblem) = ReadChunkIndex(inputPath, out var resolver, options.KnownChannels);
        long inputLength = new FileInfo(inputPath).Length;
        string temporary = $"{outputPath}.{Guid.NewGuid():N}.partial";
        var writer = new McapWriter(new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), options.Writer);
        try
        {
            var copier = new MessageCopier(writer, resolver);
            using (var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16))
            {
                var scanner = new McapScanner(input, inputPath, indexedChunks, copier);
                scanner.Run();
                var issues = new List<McapIssue>(scanner.Issues);
                if (summaryProblem is not null && scanner.ReachedFooter)
                {
                    issues.Insert(0, summaryProblem);
                }
                issues.AddRange(copier.Issues);
                var metadataKept = new List<McapMetadata>();
                foreach (var metadata in copier.MetadataRecords)
                {
                    if (options.MetadataProblem?.Invoke(metadata) is string problem)
                    {
                        issues.Add(new McapIssue(0, $"{problem}: the metadata record was left out"));
                    }
                    else
                    {
                        metadataKept.Add(metadata);
                    }
                }
                if (copier.Messages == 0)
                {
                    throw new InvalidDataException($"{inputPath}: nothing to recover, so nothing was written: " +
                        (copier.Dropped.FirstOrDefault() is { } dropped ? $"no message's channel can be identified ({dropped.Problem})"
                            : issues.Count == 0 ? "the file holds no messages"
                            : $"no chunk passes its CRC check and no message is readable ({issues[0]})"));
                }
                foreach (var metadata in metadataKept)
                {
                    writer.WriteMetadata(metadata.Name, metadata.Values);
                }
                writer.WriteMetadata("recovery", new Dictionary<string, string>
                {
                    ["source"] = Path.GetFileName(inputPath),
                    ["source_bytes"] = inputLength.ToString(CultureInfo.InvariantCulture),
                    ["valid_bytes"] = scanner.ReadableBytes.ToString(CultureInfo.InvariantCulture),
                    ["messages"] = copier.Messages.ToString(CultureInfo.InvariantCulture),
                    ["issues"] = string.Join("; ", issues),
                });
                writer.Dispose();
                Publish(temporary, outputPath, options.Overwrite);
                return new McapRecoveryReport(inputPath, outputPath, copier.Messages, scanner.ReachedFooter, inputLength, scanner.ReadableBytes, issues);
            }
        }
        catch
        {
            writer.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The summary's chunk offsets and its copies of the schemas and channels (both CRC-checked), when it can be read.</summary>
    private static (IReadOnlySet<long> Chunks, McapIssue? Problem) ReadChunkIndex(string path, out McapChannelResolver resolver, IReadOnlyList<McapKnownChannel>? known)
    {
        resolver = new McapChannelResolver(known);
        try
        {
            using var indexed = McapIndexedReader.Open(path, McapReadOptions.Recover);
            foreach (var schema in indexed.Schemas.Values)
            {
                resolver.Add(schema);
            }
            foreach (var channel in indexed.Channels.Values)
            {
                resolver.Add(channel);
            }
            return (indexed.ChunkIndexes.Select(c => (long)Math.Min(c.ChunkStartOffset, long.MaxValue)).ToHashSet(), null);
        }
        catch (McapFormatException e)
        {
            AddUnchecked(path, resolver);
            return (new HashSet<long>(), new McapIssue(e.Offset, $"the summary is unreadable ({e.Problem}): scanned the file for intact chunks instead"));
        }
    }

    /// <summary>
    /// A summary that fails its CRC may still hold the only whole Channel record of a channel whose other copy was
    /// damaged: the resolver keeps its channels as a last resort (<see cref="McapChannelResolver.AddUnchecked"/>).
    /// </summary>
    private static void AddUnchecked(string path, McapChannelResolver resolver)
    {
        try
        {
            using var indexed = McapIndexedReader.Open(path, McapReadOptions.Recover with { IgnoreSummaryCrc = true });
            foreach (var channel in indexed.Channels.Values)
            {
                resolver.AddUnchecked(channel);
            }
        }
        catch (McapFormatException)
        {
            // Not even its records parse: there is nothing in it to fall back on.
        }
    }

    private static void Publish(string temporary, string outputPath, bool overwrite)
    {
        try
        {
            File.Move(temporary, outputPath, overwrite);
        }
        catch (IOException) when (!overwrite && Path.Exists(outputPath))
        {
            throw new IOException($"{outputPath} appeared while recovering: recovery never overwrites a file (pass --force to replace it)");
        }
    }

    /// <summary>Copies what the scan finds into the writer, mapping each channel to its checked definition.</summary>
    private sealed class MessageCopier(McapWriter writer, McapChannelResolver resolver) : IMcapScanSink
    {
        private readonly Dictionary<ushort, ushort?> _outputChannels = [];
        private readonly Dictionary<string, ushort> _outputSchemas = [];
        private readonly Dictionary<ushort, (string Why, long Count, long FirstOffset)> _dropped = [];
        private readonly List<McapIssue> _notes = [];

        public long Messages { get; private set; }

        public List<McapMetadata> MetadataRecords { get; } = [];

        /// <summary>Channels rebuilt, then channels dropped with their message counts.</summary>
        public IEnumerable<McapIssue> Issues => _notes.Concat(Dropped);

        public IEnumerable<McapIssue> Dropped => _dropped.Values.Select(drop => new McapIssue(drop.FirstOffset, $"dropped {drop.Count} messages: {drop.Why}"));

        public void Schema(McapSchema schema) => resolver.Add(schema);

        public void Channel(McapChannel channel) => resolver.Add(channel);

        public void Metadata(McapMetadata metadata) => MetadataRecords.Add(metadata);

        public void Message(McapMessage message)
        {
            if (!_outputChannels.TryGetValue(message.ChannelId, out ushort? channel))
            {
                channel = Define(message);
                _outputChannels.Add(message.ChannelId, channel);
            }
            if (channel is ushort id)
            {
                writer.WriteMessage(id, message.Sequence, message.LogTime, message.PublishTime, message.Data.Span);
                Messages++;
            }
            else
            {
                var drop = _dropped[message.ChannelId];
                _dropped[message.ChannelId] = drop with { Count = drop.Count + 1 };
            }
        }

        private ushort? Define(McapMessage message)
        {
            var definition = resolver.Resolve(message.ChannelId, out string? note, out string? why);
            if (definition is null)
            {
                _dropped.Add(message.ChannelId, (why!, 0, message.FileOffset));
                return null;
            }
            if (note is not null)
            {
                _notes.Add(new McapIssue(message.FileOffset, note));
            }
            ushort schemaId = 0;
            if (definition.Schema is { } schema)
            {
                string key = $"{schema.Name}\n{schema.Encoding}\n{Convert.ToBase64String(schema.Data.Span)}";
                if (!_outputSchemas.TryGetValue(key, out schemaId))
                {
                    schemaId = writer.AddSchema(schema.Name, schema.Encoding, schema.Data.Span);
                    _outputSchemas.Add(key, schemaId);
                }
            }
            return writer.AddChannel(schemaId, definition.Topic, definition.MessageEncoding, definition.Metadata);
        }
    }
}
