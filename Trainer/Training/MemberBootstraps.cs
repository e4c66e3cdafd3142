using Robotics.Trainer.Data;

namespace Robotics.Trainer.Training;

/// <summary>
/// What each ensemble member trains on: its own bootstrap of the training episodes (as many episodes as there are,
/// drawn with replacement, whole: neighbouring ticks are near-copies, so resampling ticks would leave every member
/// seeing nearly every situation), and each epoch its own order of those samples, drawn as a single network's are
/// (a shuffle, or draws in proportion to the samples' weights: <see cref="WeightedOrder"/>). The members' different
/// data is what makes them disagree away from the demonstrations (docs/bc-math.md#the-ensemble). A bootstrap
/// holds about as many samples as the set, more or fewer; an epoch's batches take its order from the start and
/// wrap around when it is the shorter. Ordering an epoch allocates nothing but each member's seeded Random.
/// </summary>
internal sealed class MemberBootstraps
{
    private readonly int _seed;
    private readonly int[][] _pools;
    private readonly int[][] _orders;
    private readonly WeightedOrder?[] _weighted;

    public MemberBootstraps(SampleSet train, int members, int seed)
    {
        if (train.EpisodeStarts.Length == 0)
        {
            throw new ArgumentException("an ensemble's bootstraps resample episodes: the training samples must say where each episode starts", nameof(train));
        }
        _seed = seed;
        int episodes = train.EpisodeStarts.Length;
        _pools = new int[members][];
        for (int member = 0; member < members; member++)
        {
            // Its own stream, not its initialization's: the two draws stay independent.
            var random = new Random(~MemberSeeds.Of(seed, member));
            var pool = new List<int>(train.Count);
            for (int draw = 0; draw < episodes; draw++)
            {
                int episode = random.Next(episodes);
                int end = episode + 1 < episodes ? train.EpisodeStarts[episode + 1] : train.Count;
                for (int sample = train.EpisodeStarts[episode]; sample < end; sample++)
                {
                    pool.Add(sample);
                }
            }
            _pools[member] = [.. pool];
        }
        _orders = [.. _pools.Select(pool => new int[pool.Length])];
        _weighted = [.. _pools.Select(pool => train.Weights.Length == 0 ? null : new WeightedOrder([.. pool.Select(sample => train.Weights[sample])]))];
    }

    /// <summary>How many samples member <paramref name="member"/>'s bootstrap holds.</summary>
    public int Count(int member) => _pools[member].Length;

    /// <summary>Orders every member's samples for epoch <paramref name="epoch"/>, from its seed and the epoch alone.</summary>
    public void Shuffle(int epoch)
    {
        for (int member = 0; member < _pools.Length; member++)
        {
            var random = new Random(unchecked(MemberSeeds.Of(_seed, member) * 1_000_003 + epoch));
            var order = _orders[member];
            var pool = _pools[member];
            if (_weighted[member] is { } weighted)
            {
                // Draws are positions in the pool; they become samples in place.
                weighted.Draw(order, random);
                for (int i = 0; i < order.Length; i++)
                {
                    order[i] = pool[order[i]];
                }
                continue;
            }
            pool.CopyTo(order, 0);
            random.Shuffle(order);
        }
    }

    /// <summary>The sample at <paramref name="position"/> of member <paramref name="member"/>'s epoch.</summary>
    public int Sample(int member, int position)
    {
        var order = _orders[member];
        return order[position % order.Length];
    }
}
