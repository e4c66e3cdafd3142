namespace Robotics.Trainer.Training;

/// <summary>Where a run reports as it goes: a progress bar in a terminal, lines in a log.</summary>
public interface ITrainingProgress
{
    void Begin(long firstStep, long totalSteps);

    /// <summary>Called every few steps with the running mean loss of the epoch so far.</summary>
    void Advance(long step, double loss, double samplesPerSecond);

    void EpochEnded(EpochMetrics metrics, bool improved);

    void End();

    /// <summary>Reports nowhere: for benchmarks and tests that drive a run directly.</summary>
    public static ITrainingProgress None { get; } = new Silent();

    private sealed class Silent : ITrainingProgress
    {
        public void Begin(long firstStep, long totalSteps)
        {
        }

        public void Advance(long step, double loss, double samplesPerSecond)
        {
        }

        public void EpochEnded(EpochMetrics metrics, bool improved)
        {
        }

        public void End()
        {
        }
    }
}
