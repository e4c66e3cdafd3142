namespace Robotics.Trainer.Training;

/// <summary>Where a run reports as it goes: a progress bar in a terminal, lines in a log.</summary>
public interface ITrainingProgress
{
    void Begin(long firstStep, long totalSteps);

    /// <summary>Called every few steps with the running mean loss of the epoch so far.</summary>
    void Advance(long step, double loss, double samplesPerSecond);

    void EpochEnded(EpochMetrics metrics, bool improved);

    void End();
}
