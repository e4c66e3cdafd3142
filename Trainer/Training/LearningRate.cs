namespace Robotics.Trainer.Training;

/// <summary>The learning rate at each step of a run of <c>totalSteps</c> steps.</summary>
public static class LearningRate
{
    /// <param name="step">1-based step.</param>
    public static double At(TrainingConfig config, long step, long totalSteps) => config.Schedule switch
    {
        LearningRateSchedule.Cosine => config.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step - 1, totalSteps) / Math.Max(1, totalSteps))),
        _ => config.LearningRate,
    };
}
