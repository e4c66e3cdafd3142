namespace Robotics.Protos.Mcap;

/// <summary>How an <see cref="McapWriter"/> chunks, compresses and persists what it writes.</summary>
public sealed record McapWriterOptions
{
    /// <summary>Chunk compression. zstd by default: float telemetry compresses to well under half.</summary>
    public McapCompression Compression { get; init; } = McapCompression.Zstd;

    /// <summary>
    /// A chunk is closed and written once its uncompressed records reach this size. 256 KiB bounds what a
    /// crash can lose while keeping per-chunk overhead (record headers, indexes, fsync) small.
    /// </summary>
    public int ChunkSizeBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Ask the OS to put each chunk on the storage device (fsync) once written, so a power cut loses at most
    /// the chunk being filled. Costs one fsync per chunk on the writer's thread.
    /// </summary>
    public bool SyncEachChunk { get; init; } = true;

    /// <summary>The Header record's profile; empty for none (mcap.dev/spec, "Header").</summary>
    public string Profile { get; init; } = "";

    /// <summary>The Header record's library field: who wrote the file.</summary>
    public string Library { get; init; } = "robotics " + typeof(McapWriter).Assembly.GetName().Version;

    internal void Validate()
    {
        if (ChunkSizeBytes is < 1024 or > 64 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSizeBytes), ChunkSizeBytes, "ChunkSizeBytes must be between 1 KiB and 64 MiB");
        }
        if (!Enum.IsDefined(Compression))
        {
            throw new ArgumentOutOfRangeException(nameof(Compression), Compression, "unknown compression");
        }
    }
}
