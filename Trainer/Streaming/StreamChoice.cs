using Robotics.Trainer.Training;

namespace Robotics.Trainer.Streaming;

/// <summary>
/// Whether a run streams its samples (<c>--stream</c>): only LeRobot dataset folders and step tables can, and by default they do when
/// holding them would take more than half the memory the process may use.
/// </summary>
public static class StreamChoice
{
    /// <summary>
    /// What a frame costs held in memory, on top of its floats' 12 bytes each: the in-memory path reads a dataset as the
    /// trainer's own episodes (a step record per frame) before it gathers the samples. Measured: 9.1 GB peak for the
    /// 5 million frames of 32 observations and 8 actions of docs/benchmarks.md#streaming-50-million-steps, 1,822 bytes a
    /// frame, of which 1,342 are not the floats; rounded up.
    /// </summary>
    public const long HeldBytesPerFrame = 1_400;

    public static bool Streams(IReadOnlyList<string> paths, StreamMode mode)
    {
        if (mode == StreamMode.Off)
        {
            return false;
        }
        var other = paths.FirstOrDefault(p => !ShardedDatasets.IsDataset(p));
        if (mode == StreamMode.On)
        {
            return other is null
                ? true
                : throw new ArgumentException($"--stream on: {other} is not {ShardedDatasets.Described}; streamed training reads those (`trainer log export LOGS --format lerobot OUT` writes one from teleop logs)");
        }
        if (other is not null)
        {
            return false;
        }
        long held = 0;
        foreach (string root in paths)
        {
            var dataset = ShardedDatasets.Open(root);
            long frames = dataset.Shards.Sum(s => s.Rows);
            held += frames * (HeldBytesPerFrame + 12L * (dataset.ObservationNames.Count + dataset.ActionNames.Count));
        }
        return held > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
    }
}
