using System.Text.Json.Nodes;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>
/// One feature's entry of LeRobot's <c>meta/stats.json</c> (<c>compute_stats.py</c>): per entry of the feature, its
/// min, max, mean, std (population) and quantiles q01, q10, q50, q90, q99 (linear interpolation, numpy's default),
/// and the frame count. Integers and booleans count as numbers, as LeRobot promotes them. A NaN or infinite value
/// (a log may hold one; the trainer skips such steps) is left out of its entry's figures, since JSON holds neither.
/// </summary>
internal static class FeatureStats
{
    private static readonly (string Key, double Q)[] Quantiles = [("q01", 0.01), ("q10", 0.10), ("q50", 0.50), ("q90", 0.90), ("q99", 0.99)];

    /// <param name="values">The feature's values, flat, frame after frame, <paramref name="width"/> per frame.</param>
    public static JsonObject Of(IReadOnlyList<double> values, int width)
    {
        int frames = width == 0 ? 0 : values.Count / width;
        var entries = Enumerable.Range(0, width)
            .Select(entry => Enumerable.Range(0, frames).Select(frame => values[frame * width + entry]).Where(double.IsFinite).Order().ToArray())
            .ToArray();
        var stats = new JsonObject
        {
            ["min"] = Each(entries, c => c[0]),
            ["max"] = Each(entries, c => c[^1]),
            ["mean"] = Each(entries, c => c.Average()),
            ["std"] = Each(entries, Std),
            ["count"] = new JsonArray(frames),
        };
        foreach (var (key, q) in Quantiles)
        {
            stats[key] = Each(entries, c => Quantile(c, q));
        }
        return stats;
    }

    /// <summary>A figure per entry; 0 for an entry with no finite value.</summary>
    private static JsonArray Each(double[][] entries, Func<double[], double> figure) =>
        new([.. entries.Select(c => (JsonNode)(c.Length == 0 ? 0.0 : figure(c)))]);

    private static double Std(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    private static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
