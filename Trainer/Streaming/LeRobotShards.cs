using Robotics.Trainer.Datasets;

namespace Robotics.Trainer.Streaming;

/// <summary>One row group of one data file: the unit a streamed dataset is read in.</summary>
public sealed record StreamShard(string Root, string File, int RowGroup, long Rows);

/// <summary>
/// A shard's rows: each row's episode, whether an expert drove it (every frame, or in a dataset with an
/// <c>intervention</c> column the frames an operator drove, as <see cref="LeRobotEpisodes"/> reads them), and its
/// observation and action, flat.
/// </summary>
public sealed record ShardRows(long[] Episodes, bool[] Expert, float[] Observations, float[] Actions);

/// <summary>
/// A LeRobot dataset (v3.0 or v2.1) read a row group at a time, for training that streams: the data files' row
/// groups in file order, and any one of them on demand. Holds no frames itself.
/// </summary>
public sealed class LeRobotShards
{
    private LeRobotShards(string root, LeRobotInfo info, IReadOnlyList<StreamShard> shards)
    {
        Root = root;
        Info = info;
        Shards = shards;
    }

    public string Root { get; }

    public LeRobotInfo Info { get; }

    public LeRobotFeature State => Info.Feature(LeRobotDataset.State)!;

    public LeRobotFeature Action => Info.Feature(LeRobotDataset.Action)!;

    public IReadOnlyList<StreamShard> Shards { get; }

    public static async Task<LeRobotShards> OpenAsync(string root)
    {
        var info = LeRobotInfo.Read(root);
        LeRobotDataset.Require(info, LeRobotDataset.State);
        LeRobotDataset.Require(info, LeRobotDataset.Action);
        var shards = new List<StreamShard>();
        foreach (string file in LeRobotDataset.DataFiles(root))
        {
            await using var columns = await ParquetColumns.OpenAsync(file);
            for (int group = 0; group < columns.RowGroups; group++)
            {
                shards.Add(new StreamShard(root, file, group, columns.RowsIn(group)));
            }
        }
        return new LeRobotShards(root, info, shards);
    }

    /// <summary>Only the shard's episode and expert columns: what the split needs, without the frames.</summary>
    public async Task<(long[] Episodes, bool[] Expert)> ReadEpisodesAsync(StreamShard shard)
    {
        await using var columns = await ParquetColumns.OpenAsync(shard.File);
        return (await columns.LongsAsync("episode_index", shard.RowGroup), await ExpertAsync(columns, shard));
    }

    public async Task<ShardRows> ReadAsync(StreamShard shard)
    {
        await using var columns = await ParquetColumns.OpenAsync(shard.File);
        return new ShardRows(
            await columns.LongsAsync("episode_index", shard.RowGroup),
            await ExpertAsync(columns, shard),
            await columns.VectorsAsync(LeRobotDataset.State, State.Width, shard.RowGroup),
            await columns.VectorsAsync(LeRobotDataset.Action, Action.Width, shard.RowGroup));
    }

    private async Task<bool[]> ExpertAsync(ParquetColumns columns, StreamShard shard) =>
        Info.Feature(LeRobotDataset.Intervention) is null
            ? Enumerable.Repeat(true, (int)shard.Rows).ToArray()
            : await columns.BooleansAsync(LeRobotDataset.Intervention, shard.RowGroup);
}
