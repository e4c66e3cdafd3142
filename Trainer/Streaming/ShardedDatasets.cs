using Robotics.Trainer.Datasets;

namespace Robotics.Trainer.Streaming;

/// <summary>The datasets streamed training reads, told apart by their layout on disk.</summary>
public static class ShardedDatasets
{
    /// <summary>What <c>--stream on</c> takes, for its refusal of anything else.</summary>
    public const string Described = "a LeRobot dataset folder or a step table (`trainer log export --format parquet`)";

    public static bool IsDataset(string path) => LeRobotDataset.IsDataset(path) || StepTable.IsDataset(path);

    public static IShardedDataset Open(string path) => StepTable.IsDataset(path)
        ? StepTableShards.OpenAsync(path).GetAwaiter().GetResult()
        : LeRobotShards.OpenAsync(path).GetAwaiter().GetResult();
}
