namespace Robotics.Trainer.Policies;

/// <summary>
/// Per-column sums, sums of squares and extremes of rows seen a block at a time, so that statistics of a dataset
/// streamed from disk come out as those of the same rows held in memory (<see cref="Normalization.Statistics"/>).
/// </summary>
public sealed class RunningMoments(int width)
{
    private readonly double[] _sum = new double[width];
    private readonly double[] _sumSquares = new double[width];
    private readonly float[] _low = Enumerable.Repeat(float.PositiveInfinity, width).ToArray();
    private readonly float[] _high = Enumerable.Repeat(float.NegativeInfinity, width).ToArray();

    public long Rows { get; private set; }

    /// <summary>Adds the rows of <paramref name="values"/> ([rows, width], row-major).</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        int rows = values.Length / width;
        for (int row = 0; row < rows; row++)
        {
            var x = values.Slice(row * width, width);
            for (int j = 0; j < width; j++)
            {
                _sum[j] += x[j];
                _sumSquares[j] += (double)x[j] * x[j];
                _low[j] = Math.Min(_low[j], x[j]);
                _high[j] = Math.Max(_high[j], x[j]);
            }
        }
        Rows += rows;
    }

    /// <summary>Each column's mean and standard deviation, the deviation raised to at least <paramref name="stdFloor"/>.</summary>
    public (float[] Mean, float[] Std) Statistics(double stdFloor)
    {
        var mean = new float[width];
        var std = new float[width];
        for (int j = 0; j < width; j++)
        {
            double m = _sum[j] / Rows;
            double variance = Math.Max(0, _sumSquares[j] / Rows - m * m);
            mean[j] = (float)m;
            std[j] = (float)Math.Max(Math.Sqrt(variance), stdFloor);
        }
        return (mean, std);
    }

    /// <summary>Each column's smallest and largest value.</summary>
    public (float[] Low, float[] High) Extremes() => ((float[])_low.Clone(), (float[])_high.Clone());
}
