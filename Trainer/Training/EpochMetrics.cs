namespace Robotics.Trainer.Training;

/// <summary>One row of metrics.csv: an epoch's training loss and validation figures.</summary>
public sealed record EpochMetrics(int Epoch, long Step, double TrainLoss, double ValidationNll, double ValidationMse,
    double ValidationAccuracy, double LearningRate, double SamplesPerSecond, double Seconds);
