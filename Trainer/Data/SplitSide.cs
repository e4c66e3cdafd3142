namespace Robotics.Trainer.Data;

/// <summary>
/// The side of the training/validation split a dataset puts an episode on (robomimic's <c>mask/train</c> and
/// <c>mask/valid</c>), which <see cref="TrainingData.Split"/> honours when every episode has one.
/// </summary>
public enum SplitSide
{
    Train,
    Validation,
}
