using Robotics.Trainer.Data;

namespace Robotics.Trainer.Streaming;

/// <summary>
/// A fixed block of normalized training samples, filled by the streaming reader and trained on whole: its arrays are
/// allocated once and refilled each time round.
/// </summary>
public sealed class SamplePool(int capacity, int observations, int actions)
{
    public SampleSet Samples { get; } = new(capacity, new float[capacity * observations], new float[capacity * actions], [], 0);

    public int Capacity => capacity;

    /// <summary>Samples filled so far: <see cref="Capacity"/> but in an epoch's last pool.</summary>
    public int Count { get; private set; }

    /// <summary>The epoch the samples belong to.</summary>
    public int Epoch { get; private set; }

    public bool IsFull => Count == capacity;

    public void Reset(int epoch)
    {
        Count = 0;
        Epoch = epoch;
    }

    /// <summary>Appends one sample, normalized with <paramref name="normalization"/>.</summary>
    public void Add(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, Policies.Normalization normalization)
    {
        Standardize(observation, Samples.Observations.AsSpan(Count * observations, observations), normalization.ObservationMean, normalization.ObservationStd);
        Standardize(action, Samples.Targets.AsSpan(Count * actions, actions), normalization.ActionMean, normalization.ActionStd);
        Count++;
    }

    private static void Standardize(ReadOnlySpan<float> raw, Span<float> into, float[] mean, float[] std)
    {
        for (int j = 0; j < raw.Length; j++)
        {
            into[j] = (raw[j] - mean[j]) / std[j];
        }
    }
}
