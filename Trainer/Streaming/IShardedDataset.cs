namespace Robotics.Trainer.Streaming;

/// <summary>
/// A dataset on disk that streamed training reads a shard (one row group of one file) at a time: a LeRobot dataset
/// (<see cref="LeRobotShards"/>) or the trainer's own Parquet export. It describes one robot and holds no frames.
/// </summary>
public interface IShardedDataset
{
    /// <summary>The path the user gave: what episodes are told apart by, with their number.</summary>
    string Root { get; }

    /// <summary>Every shard, in file then row-group order.</summary>
    IReadOnlyList<StreamShard> Shards { get; }

    string Robot { get; }

    double ControlRateHz { get; }

    IReadOnlyList<string> ObservationNames { get; }

    IReadOnlyList<string> ActionNames { get; }

    /// <summary>What the trainer leaves out of the dataset, one line each (e.g. a LeRobot dataset's camera features).</summary>
    IEnumerable<string> Warnings { get; }

    /// <summary>Only the shard's episode and expert columns, into <paramref name="into"/>: what the split needs, without the frames.</summary>
    Task ReadEpisodesAsync(StreamShard shard, ShardRows into);

    /// <summary>The shard's rows, into <paramref name="into"/>.</summary>
    Task ReadAsync(StreamShard shard, ShardRows into);
}
