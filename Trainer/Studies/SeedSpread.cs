using System.Globalization;
using System.Text.Json.Nodes;

namespace Robotics.Trainer.Studies;

/// <summary>One figure measured once per seed: its mean and its range over the seeds, as a study reports it.</summary>
public sealed record SeedSpread(IReadOnlyList<double> PerSeed)
{
    public double Mean => PerSeed.Average();

    public double Min => PerSeed.Min();

    public double Max => PerSeed.Max();

    /// <summary>A share as "mean % (min–max)", e.g. "98 % (96–100)".</summary>
    public string Percent() => PerSeed.Count == 1
        ? string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:F0} %")
        : string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:F0} % ({100 * Min:F0}–{100 * Max:F0})");

    public JsonObject ToJson() => new()
    {
        ["mean"] = Mean,
        ["min"] = Min,
        ["max"] = Max,
        ["per_seed"] = new JsonArray([.. PerSeed.Select(v => (JsonNode)v)]),
    };
}
