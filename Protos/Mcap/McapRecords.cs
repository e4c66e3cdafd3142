namespace Robotics.Protos.Mcap;

/// <summary>A Schema record (mcap.dev/spec, "Schema").</summary>
public sealed record McapSchema(ushort Id, string Name, string Encoding, ReadOnlyMemory<byte> Data);

/// <summary>A Channel record (mcap.dev/spec, "Channel").</summary>
public sealed record McapChannel(ushort Id, ushort SchemaId, string Topic, string MessageEncoding, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A Message record (mcap.dev/spec, "Message").</summary>
/// <param name="FileOffset">The record's file offset; for a message inside a chunk, the chunk's offset.</param>
public readonly record struct McapMessage(ushort ChannelId, uint Sequence, ulong LogTime, ulong PublishTime, ReadOnlyMemory<byte> Data, long FileOffset);

/// <summary>A Metadata record (mcap.dev/spec, "Metadata").</summary>
public sealed record McapMetadata(string Name, IReadOnlyDictionary<string, string> Values);

/// <summary>A Chunk Index record from the summary (mcap.dev/spec, "Chunk Index").</summary>
public sealed record McapChunkIndex(
    ulong MessageStartTime,
    ulong MessageEndTime,
    ulong ChunkStartOffset,
    ulong ChunkLength,
    IReadOnlyDictionary<ushort, ulong> MessageIndexOffsets,
    ulong MessageIndexLength,
    string Compression,
    ulong CompressedSize,
    ulong UncompressedSize);

/// <summary>The Statistics record from the summary (mcap.dev/spec, "Statistics").</summary>
public sealed record McapStatistics(
    ulong MessageCount,
    ushort SchemaCount,
    uint ChannelCount,
    uint AttachmentCount,
    uint MetadataCount,
    uint ChunkCount,
    ulong MessageStartTime,
    ulong MessageEndTime,
    IReadOnlyDictionary<ushort, ulong> ChannelMessageCounts);

/// <summary>Something a tolerant read stepped over: where, and what was lost.</summary>
public sealed record McapIssue(long Offset, string Problem)
{
    public override string ToString() => $"at byte {Offset}: {Problem}";
}

/// <summary>How forgiving a reader is with damaged files.</summary>
public sealed record McapReadOptions
{
    /// <summary>Strict: every problem is an <see cref="McapFormatException"/>.</summary>
    public static McapReadOptions Strict { get; } = new();

    /// <summary>
    /// What a recording killed mid-write needs: a file that ends early (no footer, a record cut short,
    /// zeros after the last record) yields everything before the cut and reports the cut as an issue.
    /// </summary>
    public static McapReadOptions TolerateTruncation { get; } = new() { AllowTruncatedTail = true };

    /// <summary>Recovery: also skips chunks that fail their CRC or do not decode, reporting each.</summary>
    public static McapReadOptions Recover { get; } = new() { AllowTruncatedTail = true, SkipCorruptChunks = true };

    public bool AllowTruncatedTail { get; init; }

    public bool SkipCorruptChunks { get; init; }

    /// <summary>
    /// Reads a summary that fails its CRC check instead of refusing it: for recovery's last resort only, which trusts no
    /// more of it than a channel's topic (<see cref="McapChannelResolver"/>).
    /// </summary>
    public bool IgnoreSummaryCrc { get; init; }

    /// <summary>
    /// Largest uncompressed chunk accepted. A damaged size field must not make the reader allocate
    /// gigabytes; 256 MiB is a thousand times this writer's default chunk.
    /// </summary>
    public int MaxChunkUncompressedBytes { get; init; } = 256 * 1024 * 1024;
}
