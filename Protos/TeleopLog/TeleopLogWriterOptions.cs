using Robotics.Protos.Mcap;

namespace Robotics.Protos.TeleopLog;

/// <summary>How a <see cref="TeleopLogWriter"/> buffers, chunks and persists a recording.</summary>
public sealed record TeleopLogWriterOptions
{
    public McapCompression Compression { get; init; } = McapCompression.Zstd;

    /// <summary>A chunk is written once it holds this many uncompressed bytes...</summary>
    public int ChunkSizeBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// ...or once its first step is this old, whichever comes first: a crash or power cut loses at most about
    /// this much recording.
    /// </summary>
    public TimeSpan ChunkDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>fsync each chunk, so a power cut loses at most the chunk being filled.</summary>
    public bool SyncEachChunk { get; init; } = true;

    /// <summary>
    /// How often a recorder's thread looks for new ticks when it finds none. 5 ms keeps its wake-ups to 200/s
    /// while the loop's tick ring holds seconds of ticks.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    internal McapWriterOptions ToMcapOptions() => new()
    {
        Compression = Compression,
        ChunkSizeBytes = ChunkSizeBytes,
        SyncEachChunk = SyncEachChunk,
    };

    internal void Validate()
    {
        if (ChunkDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkDuration), ChunkDuration, "ChunkDuration: must be positive");
        }
        if (PollInterval <= TimeSpan.Zero || PollInterval > ChunkDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval: must be positive and no longer than ChunkDuration");
        }
    }
}
