namespace Robotics.Trainer.Training;

/// <summary>
/// An epoch's samples drawn in proportion to their weights: systematic resampling (one uniform offset, then evenly
/// spaced points along the cumulative weights) and a shuffle of what was drawn. Each of the n draws of an epoch is
/// sample i with probability wᵢ/Σw, so a batch's mean loss is in expectation the weighted mean over the training
/// set, with the training graph unchanged; and any run of samples (an episode) is drawn within one of n times its
/// share of the weight in every epoch, where independent draws would stray by its standard deviation. Drawing
/// allocates nothing.
/// </summary>
internal sealed class WeightedOrder
{
    private readonly double[] _cumulative;

    /// <param name="weights">Each sample's weight, all above 0.</param>
    public WeightedOrder(float[] weights)
    {
        _cumulative = new double[weights.Length];
        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            _cumulative[i] = sum;
        }
    }

    /// <summary>Fills <paramref name="order"/> (as many draws as samples) from <paramref name="random"/>.</summary>
    public void Draw(int[] order, Random random)
    {
        int n = order.Length;
        double total = _cumulative[^1];
        double spacing = total / n;
        double offset = random.NextDouble() * spacing;
        int sample = 0;
        for (int k = 0; k < n; k++)
        {
            double point = offset + k * spacing;
            while (_cumulative[sample] <= point && sample < _cumulative.Length - 1)
            {
                sample++;
            }
            order[k] = sample;
        }
        random.Shuffle(order);
    }
}
