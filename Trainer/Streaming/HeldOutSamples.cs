using System.Globalization;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Streaming;

/// <summary>The held-out samples a streamed run validates on, raw as read, up to a cap on how many it keeps.</summary>
internal sealed class HeldOutSamples(int observations, int cap)
{
    private readonly List<float> _observations = [];
    private readonly List<float> _actions = [];
    private readonly HashSet<(string Root, long Episode)> _episodes = [];
    private long _seen;

    public int Count => _observations.Count / observations;

    public void Add((string Root, long Episode) episode, ReadOnlySpan<float> observation, ReadOnlySpan<float> action)
    {
        _seen++;
        if (Count == cap)
        {
            return;
        }
        _observations.AddRange(observation);
        _actions.AddRange(action);
        _episodes.Add(episode);
    }

    /// <summary>The line saying validation scores a part of the held-out steps; none when it scores them all.</summary>
    public IEnumerable<string> Warning(int episodes) => _seen > Count
        ? [string.Create(CultureInfo.InvariantCulture, $"validating on the first {Count} of the {_seen} held-out steps ({episodes} episodes), the most a streamed run keeps in memory")]
        : [];

    public SampleSet Normalized(Normalization normalization)
    {
        float[] observations = [.. _observations];
        float[] targets = [.. _actions];
        Normalization.Apply(observations, normalization.ObservationMean, normalization.ObservationStd);
        Normalization.Apply(targets, normalization.ActionMean, normalization.ActionStd);
        return new SampleSet(Count, observations, targets, [], _episodes.Count);
    }
}
