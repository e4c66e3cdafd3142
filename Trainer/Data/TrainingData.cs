using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Streaming;

namespace Robotics.Trainer.Data;

/// <summary>Samples as the training graph takes them: normalized observations and targets, row-major.</summary>
public sealed record SampleSet(int Count, float[] Observations, float[] Targets, long[] Labels, int EpisodeCount)
{
    /// <summary>Each sample's weight, all above 0 (<see cref="DemonstrationWeighting"/>); empty when every sample weighs the same.</summary>
    public float[] Weights { get; init; } = [];

    /// <summary>The first sample of each episode, in order (an ensemble member's bootstrap resamples whole episodes); empty when not known.</summary>
    public int[] EpisodeStarts { get; init; } = [];
}

/// <summary>
/// The demonstrations split by episode (never by step: neighbouring ticks are near-copies, and splitting them
/// would leak the training set into validation), normalized with statistics of the training episodes only.
/// </summary>
public sealed class TrainingData
{
    private TrainingData(Demonstrations source, SampleSet train, SampleSet validation, Normalization normalization, string fingerprint, StreamedTraining? stream)
    {
        Source = source;
        Train = train;
        Validation = validation;
        Normalization = normalization;
        Fingerprint = fingerprint;
        Stream = stream;
    }

    public Demonstrations Source { get; }

    /// <summary>The training samples in memory; empty when they are streamed from disk (<see cref="Stream"/>).</summary>
    public SampleSet Train { get; }

    /// <summary>Where the training samples stream from, a pool at a time; null when they are in memory (<see cref="Train"/>).</summary>
    public StreamedTraining? Stream { get; }

    /// <summary>Samples in the training split, in memory or streamed.</summary>
    public long TrainSteps => Stream?.TrainSamples ?? Train.Count;

    /// <summary>Episodes in the training split, in memory or streamed.</summary>
    public int TrainEpisodes => Stream?.TrainEpisodes ?? Train.EpisodeCount;

    public SampleSet Validation { get; }

    public Normalization Normalization { get; }

    /// <summary>SHA-256 (first 16 hex digits) of the signature and every sample, in split order.</summary>
    public string Fingerprint { get; }

    /// <param name="validationFraction">Share of episodes held out, at least one episode.</param>
    /// <param name="stdFloor">Smallest standard deviation used to normalize, in raw units.</param>
    public static TrainingData Split(Demonstrations demonstrations, double validationFraction, int seed, double stdFloor)
    {
        var (validation, train) = EpisodeSplit.Choose(demonstrations.Episodes, e => e.Source, e => e.Id, validationFraction, seed);

        int width = demonstrations.ObservationSize;
        int actions = demonstrations.ActionNames.Count;
        var trainSet = Gather(train, width, actions);
        var (obsMean, obsStd) = Normalization.Statistics(trainSet.Observations, width, stdFloor);
        var (actMean, actStd) = demonstrations.Kind.ActionStatistics(trainSet.Targets, actions, stdFloor);
        var normalization = new Normalization(obsMean, obsStd, actMean, actStd);
        var validationSet = Gather(validation, width, actions);
        string fingerprint = ComputeFingerprint(demonstrations, trainSet, validationSet);
        foreach (var set in new[] { trainSet, validationSet })
        {
            Normalization.Apply(set.Observations, obsMean, obsStd);
            Normalization.Apply(set.Targets, actMean, actStd);
        }
        return new TrainingData(demonstrations, trainSet, validationSet, normalization, fingerprint, null);
    }

    /// <summary>Data whose training split streams from disk (<paramref name="stream"/>); its validation samples are in memory, normalized.</summary>
    public static TrainingData Streamed(Demonstrations demonstrations, SampleSet validation, Normalization normalization, string fingerprint, StreamedTraining stream) =>
        new(demonstrations, new SampleSet(0, [], [], [], 0), validation, normalization, fingerprint, stream);

    private static SampleSet Gather(DemoEpisode[] episodes, int width, int actions)
    {
        int count = episodes.Sum(e => e.Steps);
        var observations = new float[count * width];
        var targets = new float[count * actions];
        var labels = new long[episodes.Sum(e => e.Labels.Length)];
        // One side of the split may hold a single weight (its episodes all of one operator and outcome): uniform there.
        bool weighted = episodes.SelectMany(e => Enumerable.Range(0, e.Steps).Select(e.WeightOf)).Distinct().Count() > 1;
        var weights = weighted ? new float[count] : [];
        var starts = new int[episodes.Length];
        int row = 0;
        int label = 0;
        for (int e = 0; e < episodes.Length; e++)
        {
            var episode = episodes[e];
            starts[e] = row;
            episode.Observations.CopyTo(observations, row * width);
            episode.Actions.CopyTo(targets, row * actions);
            episode.Labels.CopyTo(labels, label);
            for (int step = 0; weighted && step < episode.Steps; step++)
            {
                weights[row + step] = episode.WeightOf(step);
            }
            row += episode.Steps;
            label += episode.Labels.Length;
        }
        return new SampleSet(count, observations, targets, labels, episodes.Length) { Weights = weights, EpisodeStarts = starts };
    }

    private static string ComputeFingerprint(Demonstrations demonstrations, SampleSet train, SampleSet validation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join("\n", demonstrations.ObservationNames.Concat(demonstrations.ActionNames).Concat(demonstrations.DiscreteActionNames))));
        foreach (var set in new[] { train, validation })
        {
            hash.AppendData(MemoryMarshal.AsBytes(set.Observations.AsSpan()));
            hash.AppendData(MemoryMarshal.AsBytes(set.Targets.AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
