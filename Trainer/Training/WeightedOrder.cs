namespace Robotics.Trainer.Training;

/// <summary>
/// An epoch's samples drawn in proportion to their weights: systematic resampling over the samples in a random order
/// (one uniform offset, then evenly spaced points along the cumulative weights of the shuffled samples) and a shuffle
/// of what was drawn. Each sample is drawn ⌊n·pᵢ⌋ or ⌈n·pᵢ⌉ times in an epoch of n draws, pᵢ = wᵢ/Σw, the larger with
/// probability the fractional part of n·pᵢ: each draw is sample i with probability pᵢ, so a batch's mean loss is in
/// expectation the weighted mean over the training set, with the training graph unchanged, and an episode's share of
/// an epoch strays less than independent draws would let it. The random order matters: in the samples' own order a
/// periodic pattern of weights (two operators taking turns tick by tick) lines up with the evenly spaced points, and
/// one offset would then draw every light sample or none of them, epoch after epoch. Drawing allocates nothing.
/// </summary>
internal sealed class WeightedOrder
{
    private readonly float[] _weights;
    private readonly int[] _shuffled;
    private readonly double _total;

    /// <param name="weights">Each sample's weight, all above 0.</param>
    public WeightedOrder(float[] weights)
    {
        _weights = weights;
        _shuffled = new int[weights.Length];
        _total = weights.Sum(w => (double)w);
    }

    /// <summary>Fills <paramref name="order"/> (as many draws as samples) from <paramref name="random"/>.</summary>
    public void Draw(int[] order, Random random)
    {
        int n = order.Length;
        for (int i = 0; i < n; i++)
        {
            _shuffled[i] = i;
        }
        random.Shuffle(_shuffled);
        double spacing = _total / n;
        double offset = random.NextDouble() * spacing;
        double cumulative = 0;
        int drawn = 0;
        foreach (int sample in _shuffled)
        {
            cumulative += _weights[sample];
            while (drawn < n && offset + drawn * spacing < cumulative)
            {
                order[drawn++] = sample;
            }
        }
        // Rounding can leave the last point just past the summed weights: it belongs to the last sample.
        while (drawn < n)
        {
            order[drawn++] = _shuffled[^1];
        }
        random.Shuffle(order);
    }
}
