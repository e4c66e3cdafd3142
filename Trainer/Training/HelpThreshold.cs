namespace Robotics.Trainer.Training;

/// <summary>
/// The uncertainty above which the deployed policy asks an operator for help (ThriftyDAgger's rule): the
/// (1 − rate) quantile of the policy's uncertainty on held-out ticks, so about <c>rate</c> of ticks like
/// those would ask (docs/bc-math.md#the-help-threshold).
/// </summary>
public sealed record HelpThreshold(double Rate, double Threshold, IReadOnlyDictionary<string, double> Quantiles)
{
    public static HelpThreshold From(ReadOnlySpan<float> uncertainty, double rate)
    {
        var sorted = uncertainty.ToArray();
        Array.Sort(sorted);
        double Quantile(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        var quantiles = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (double q in new[] { 0.5, 0.9, 0.95, 0.98, 0.99 })
        {
            quantiles[$"p{q * 100:0}"] = Quantile(q);
        }
        return new HelpThreshold(rate, Quantile(1 - rate), quantiles);
    }
}
