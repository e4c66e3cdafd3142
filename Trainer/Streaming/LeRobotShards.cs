using Robotics.Trainer.Datasets;

namespace Robotics.Trainer.Streaming;

/// <summary>
/// A shard's rows: each row's episode, whether an expert drove it (every frame, or in a dataset with an
/// <c>intervention</c> column the frames an operator drove, as <see cref="LeRobotEpisodes"/> reads them), and its
/// observation and action, flat. A reader refills one instance shard after shard: its arrays grow to the largest
/// row group and are then reused, so reading a shard makes no garbage of its size.
/// </summary>
public sealed class ShardRows
{
    /// <summary>The rows the last read filled (the arrays may be longer).</summary>
    public int Count { get; private set; }

    public long[] Episodes { get; private set; } = [];

    public bool[] Expert { get; private set; } = [];

    public float[] Observations { get; private set; } = [];

    public float[] Actions { get; private set; } = [];

    /// <summary>Makes room for <paramref name="rows"/> rows, growing the arrays only when they are too short.</summary>
    public void Resize(int rows, int observations, int actions)
    {
        if (Episodes.Length < rows)
        {
            Episodes = new long[rows];
            Expert = new bool[rows];
            Observations = new float[rows * observations];
            Actions = new float[rows * actions];
        }
        Count = rows;
    }
}

/// <summary>
/// A LeRobot dataset (v3.0 or v2.1) read a row group at a time, for training that streams: the data files' row
/// groups in file order, and any one of them on demand. Holds no frames itself.
/// </summary>
public sealed class LeRobotShards : IShardedDataset
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

    public string Robot => Info.RobotType ?? LeRobotEpisodes.UnnamedRobot;

    public double ControlRateHz => Info.Fps;

    public IReadOnlyList<string> ObservationNames => State.Names;

    public IReadOnlyList<string> ActionNames => Action.Names;

    public IEnumerable<string> Warnings => LeRobotDataset.SkippedWarnings(Info, Root);

    public static async Task<LeRobotShards> OpenAsync(string root)
    {
        var info = LeRobotInfo.Read(root);
        LeRobotDataset.Require(info, LeRobotDataset.State);
        LeRobotDataset.Require(info, LeRobotDataset.Action);
        return new LeRobotShards(root, info, await StreamShard.AllOfAsync(root, LeRobotDataset.DataFiles(root)));
    }

    public async Task ReadEpisodesAsync(StreamShard shard, ShardRows into)
    {
        await using var columns = await ParquetColumns.OpenAsync(shard.File);
        into.Resize((int)shard.Rows, State.Width, Action.Width);
        await columns.LongsAsync("episode_index", shard.RowGroup, into.Episodes);
        await ExpertAsync(columns, shard, into);
    }

    public async Task ReadAsync(StreamShard shard, ShardRows into)
    {
        await using var columns = await ParquetColumns.OpenAsync(shard.File);
        into.Resize((int)shard.Rows, State.Width, Action.Width);
        await columns.LongsAsync("episode_index", shard.RowGroup, into.Episodes);
        await ExpertAsync(columns, shard, into);
        await columns.VectorsAsync(LeRobotDataset.State, State.Width, shard.RowGroup, into.Observations);
        await columns.VectorsAsync(LeRobotDataset.Action, Action.Width, shard.RowGroup, into.Actions);
    }

    private async Task ExpertAsync(ParquetColumns columns, StreamShard shard, ShardRows into)
    {
        if (Info.Feature(LeRobotDataset.Intervention) is null)
        {
            Array.Fill(into.Expert, true, 0, into.Count);
        }
        else
        {
            await columns.BooleansAsync(LeRobotDataset.Intervention, shard.RowGroup, into.Expert);
        }
    }
}
