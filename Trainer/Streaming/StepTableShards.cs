using Robotics.Trainer.Datasets;

namespace Robotics.Trainer.Streaming;

/// <summary>
/// One robot of a step table (<see cref="StepTable"/>, the trainer's own Parquet export) read a row group at a time,
/// for training that streams: each row's episode is its <c>episode_index</c>, and the rows an expert drove are those
/// its <c>expert</c> column marks (teleop and override, as in the logs).
/// </summary>
public sealed class StepTableShards : IShardedDataset
{
    private readonly StepTableRobot _robot;

    private StepTableShards(string root, StepTableRobot robot, IReadOnlyList<StreamShard> shards)
    {
        Root = root;
        _robot = robot;
        Shards = shards;
    }

    public string Root { get; }

    public IReadOnlyList<StreamShard> Shards { get; }

    public string Robot => _robot.Name;

    public double ControlRateHz => _robot.ControlRateHz;

    public IReadOnlyList<string> ObservationNames => _robot.Observations;

    public IReadOnlyList<string> ActionNames => _robot.Actions;

    public IEnumerable<string> Warnings => [];

    public static async Task<StepTableShards> OpenAsync(string path)
    {
        var (root, robot) = StepTable.Open(path);
        if (robot.DiscreteActions.Count > 0)
        {
            throw new ArgumentException($"{path}: robot '{robot.Name}' acts discretely; streamed training takes continuous actions: train it with --stream off");
        }
        return new StepTableShards(path, robot, await StreamShard.AllOfAsync(path, StepTable.DataFiles(root, robot)));
    }

    public async Task ReadEpisodesAsync(StreamShard shard, ShardRows into)
    {
        await using var columns = await ParquetColumns.OpenAsync(shard.File);
        into.Resize((int)shard.Rows, ObservationNames.Count, ActionNames.Count);
        await columns.LongsAsync(StepTable.EpisodeIndex, shard.RowGroup, into.Episodes);
        await columns.BooleansAsync(StepTable.Expert, shard.RowGroup, into.Expert);
    }

    public async Task ReadAsync(StreamShard shard, ShardRows into)
    {
        await using var columns = await ParquetColumns.OpenAsync(shard.File);
        into.Resize((int)shard.Rows, ObservationNames.Count, ActionNames.Count);
        await columns.LongsAsync(StepTable.EpisodeIndex, shard.RowGroup, into.Episodes);
        await columns.BooleansAsync(StepTable.Expert, shard.RowGroup, into.Expert);
        await columns.VectorsAsync(StepTable.Observation, ObservationNames.Count, shard.RowGroup, into.Observations);
        await columns.VectorsAsync(StepTable.Action, ActionNames.Count, shard.RowGroup, into.Actions);
    }
}
