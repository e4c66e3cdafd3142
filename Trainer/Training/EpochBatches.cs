using Robotics.Trainer.Data;

namespace Robotics.Trainer.Training;

/// <summary>
/// Where a training run's batches come from: the samples the training step binds its targets to, and each epoch's
/// batches in turn, copied into the step's host arrays. In memory (<see cref="InMemoryBatches"/>) or streamed from
/// disk (<see cref="StreamedBatches"/>).
/// </summary>
internal interface IEpochBatches : IDisposable
{
    /// <summary>The samples the step's target batch is first bound to.</summary>
    SampleSet Samples { get; }

    int StepsPerEpoch { get; }

    /// <summary>Orders epoch <paramref name="epoch"/>'s samples (1-based); its batches follow.</summary>
    void BeginEpoch(int epoch);

    /// <summary>Copies the epoch's batch number <paramref name="batch"/> (0-based) into <paramref name="step"/>'s inputs.</summary>
    void Fill(TrainingStep step, int batch);
}
