using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>What a run produced: the best parameters and how they score.</summary>
public sealed record TrainingResult(
    PolicyShape Shape,
    int BatchSize,
    float[][] BestParameters,
    Evaluation BestEvaluation,
    int BestEpoch,
    int Epochs,
    long Steps,
    double SamplesPerSecond,
    HelpThresholds Help,
    string StopReason,
    IReadOnlyList<EpochMetrics> History);
