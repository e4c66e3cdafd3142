using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Reports;

/// <summary>
/// The validation score a run keeps its epoch by, named for what it measures on the policy's head: charts and
/// progress lines take their labels from here, so they follow whichever score the run selects by.
/// </summary>
/// <param name="name">For a sentence or a chart title: "validation MSE of the mean action".</param>
/// <param name="shortName">Where room is short, a progress bar: "val MSE".</param>
/// <param name="axis">For a chart's axis: "MSE of the mean action (action units²)".</param>
/// <param name="of">The score of one epoch's metrics.</param>
public sealed class ValidationScore(string name, string shortName, string axis, Func<EpochMetrics, double> of)
{
    public string Name { get; } = name;

    public string ShortName { get; } = shortName;

    public string Axis { get; } = axis;

    /// <summary>The score of one epoch.</summary>
    public double Of(EpochMetrics epoch) => of(epoch);

    /// <summary>The score of the epoch a run kept; NaN if none was (no epoch scored a finite value).</summary>
    public double OfKept(TrainingResult result) => result.History.FirstOrDefault(m => m.Epoch == result.BestEpoch) is { } kept ? Of(kept) : double.NaN;

    public static ValidationScore For(SelectionMetric metric, PolicyHead head) => metric switch
    {
        SelectionMetric.Mse => new($"validation {head.SquaredError.Name}", $"val {head.SquaredError.Short}",
            head.SquaredError.Unit.Length == 0 ? head.SquaredError.Name : $"{head.SquaredError.Name} ({head.SquaredError.Unit})", m => m.ValidationMse),
        SelectionMetric.Nll => new("validation NLL", "val NLL", "NLL (normalized units)", m => m.ValidationNll),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "a selection metric without a name for charts"),
    };
}
