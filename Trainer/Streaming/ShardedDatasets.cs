using Robotics.Trainer.Datasets;

namespace Robotics.Trainer.Streaming;

/// <summary>The datasets streamed training reads, told apart by their layout on disk.</summary>
public static class ShardedDatasets
{
    /// <summary>What <c>--stream on</c> takes, for its refusal of anything else.</summary>
    public const string Described = "a LeRobot dataset folder";

    public static bool IsDataset(string path) => LeRobotDataset.IsDataset(path);

    public static IShardedDataset Open(string path) => LeRobotShards.OpenAsync(path).GetAwaiter().GetResult();
}
