using System.Globalization;

namespace Robotics.Trainer.Training;

/// <summary>
/// What each training setting accepts. The ceilings keep a run inside what this product can use: a policy the
/// controller must evaluate within one control tick on a robot's CPU (a 2048-wide layer already costs about a
/// millisecond there), and a training state (weights, gradients, two Adam moments, the best epoch's copy) and
/// mini-batch that fit in a workstation's memory. Beyond them ONNX Runtime fails deep inside with errors that
/// say nothing about the flag.
/// </summary>
public static class TrainingRanges
{
    public const int MaxLayers = 8;
    public const int MaxLayerWidth = 2048;

    public static WholeRange Epochs { get; } = new("--epochs", 1, 1_000_000);
    public static WholeRange Steps { get; } = new("--steps", 0, 1_000_000_000);
    public static WholeRange Batch { get; } = new("--batch", 1, 8192);
    public static WholeRange Patience { get; } = new("--patience", 0, 1_000_000);
    public static WholeRange Seed { get; } = new("--seed", int.MinValue, int.MaxValue);
    public static WholeRange Threads { get; } = new("--threads", 0, 256);
    /// <summary>robomimic's BC-GMM uses 5; past a few tens, components only split one way of acting among themselves.</summary>
    public static WholeRange MixtureComponents { get; } = new("--components", 2, 32);
    /// <summary>ThriftyDAgger trains 5; each member costs a network's inference on every control tick.</summary>
    public static WholeRange EnsembleMembers { get; } = new("--ensemble", 1, Policies.PolicyShape.MaxEnsembleMembers);
    public static RealRange LearningRate { get; } = new("--lr", 0, 1, MinIncluded: false);
    public static RealRange WeightDecay { get; } = new("--weight-decay", 0, 1);
    public static RealRange MaxGradNorm { get; } = new("--max-grad-norm", 0, 1e6);
    public static RealRange ValidationFraction { get; } = new("--val-fraction", 0, 1, MinIncluded: false, MaxIncluded: false);
    public static RealRange HelpRate { get; } = new("--help-rate", 0, 1, MinIncluded: false, MaxIncluded: false);

    /// <summary>log σ in normalized units: e⁻²⁰ is far below any sensor's resolution, e²⁰ far above any spread.</summary>
    public static RealRange LogStdMin { get; } = new("--log-std-min", -20, 20);
    public static RealRange LogStdMax { get; } = new("log-std-max", -20, 20);
    public static RealRange StdFloor { get; } = new("std-floor", 0, 1e6, MinIncluded: false);
    public static RealRange LeakySlope { get; } = new("leaky-slope", 0, 1, MaxIncluded: false);

    /// <summary>What --hidden accepts, in words.</summary>
    public static string HiddenAllowed => $"1 to {MaxLayers} comma-separated layer widths of 1 to {MaxLayerWidth} units each, such as 256,256; " +
        "a larger network would not run within a control tick";

    public static bool HiddenFits(IReadOnlyList<int> widths) => widths.Count is >= 1 and <= MaxLayers && widths.All(w => w is >= 1 and <= MaxLayerWidth);

    /// <summary>Parses --hidden, e.g. "256,256".</summary>
    public static IReadOnlyList<int> ParseHidden(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]))
            {
                widths[i] = 0;
            }
        }
        return RequireHidden(widths, $"'{text}'");
    }

    public static IReadOnlyList<int> RequireHidden(IReadOnlyList<int> widths, string? given = null) => HiddenFits(widths)
        ? widths
        : throw new ArgumentException($"--hidden: got {given ?? string.Join(',', widths)}; it must be {HiddenAllowed}");
}
