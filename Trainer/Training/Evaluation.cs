namespace Robotics.Trainer.Training;

/// <summary>A policy's figures on held-out episodes.</summary>
/// <param name="Nll">Mean negative log-likelihood per sample, normalized action units, without ½·log 2π per dimension.</param>
/// <param name="Mse">Gaussian: mean squared error of the mean, raw action units. Categorical: Brier score (squared error of the probabilities).</param>
/// <param name="Accuracy">Categorical: share of argmax = expert action. Gaussian: NaN.</param>
/// <param name="Uncertainty">Per sample: max over action dimensions of normalized σ (Gaussian), or entropy / log K (categorical).</param>
public sealed record Evaluation(double Nll, double Mse, double Accuracy, float[] Uncertainty)
{
    /// <summary>An ensemble's novelty per sample (its members' disagreement, docs/bc-math.md#the-ensemble); empty for a single network.</summary>
    public float[] Novelty { get; init; } = [];
}
