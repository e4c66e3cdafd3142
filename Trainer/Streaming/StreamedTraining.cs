namespace Robotics.Trainer.Streaming;

/// <summary>
/// A training split that stays on disk: the datasets' shards, which of their episodes train, and how many samples
/// an epoch holds (what <see cref="StreamedSamples"/> reads, a pool at a time).
/// </summary>
public sealed class StreamedTraining(IReadOnlyList<IShardedDataset> datasets, IReadOnlyDictionary<string, HashSet<long>> trainEpisodes, long trainSamples)
{
    public IReadOnlyList<IShardedDataset> Datasets { get; } = datasets;

    public long TrainSamples { get; } = trainSamples;

    public int TrainEpisodes { get; } = trainEpisodes.Values.Sum(e => e.Count);

    /// <summary>Every shard of every dataset, in dataset then file order.</summary>
    public IEnumerable<(IShardedDataset Dataset, StreamShard Shard)> Shards => ShardsOf(Datasets);

    /// <summary>Every shard of <paramref name="datasets"/>, in dataset then file order.</summary>
    public static IEnumerable<(IShardedDataset Dataset, StreamShard Shard)> ShardsOf(IEnumerable<IShardedDataset> datasets) =>
        datasets.SelectMany(d => d.Shards.Select(s => (d, s)));

    public bool Trains(string root, long episode) => trainEpisodes[root].Contains(episode);

    /// <summary>Whether row <paramref name="row"/> of a shard is a sample to learn: driven by an expert, and finite (as the in-memory loader keeps).</summary>
    public static bool Learnable(ShardRows rows, int row, int observations, int actions) =>
        rows.Expert[row]
        && AllFinite(rows.Observations.AsSpan(row * observations, observations))
        && AllFinite(rows.Actions.AsSpan(row * actions, actions));

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }
        return true;
    }
}
