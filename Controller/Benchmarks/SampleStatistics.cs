namespace Robotics.Controller.Benchmarks;

/// <summary>Order statistics of a set of timings (nearest-rank percentiles).</summary>
public readonly record struct SampleStatistics(double Median, double P99, double P999, double Max, int Count)
{
    public static SampleStatistics Of(ReadOnlySpan<double> samples)
    {
        if (samples.IsEmpty)
        {
            return default;
        }
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return new SampleStatistics(Rank(sorted, 0.5), Rank(sorted, 0.99), Rank(sorted, 0.999), sorted[^1], sorted.Length);
    }

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
