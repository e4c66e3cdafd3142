using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Robotics.Trainer.Datasets;
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
    private TrainingData(Demonstrations source, SampleSet train, SampleSet validation, Normalization normalization, string fingerprint, bool splitByData, StreamedTraining? stream)
    {
        Source = source;
        SplitByData = splitByData;
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

    /// <summary>Whether the data gave the split (robomimic's mask/train and mask/valid) rather than the seed.</summary>
    public bool SplitByData { get; }

    /// <summary>SHA-256 (first 16 hex digits) of the signature and every sample, in split order.</summary>
    public string Fingerprint { get; }

    /// <param name="validationFraction">Share of episodes held out, at least one episode; unused when every episode has a <see cref="DemoEpisode.Split"/>.</param>
    /// <param name="stdFloor">Smallest standard deviation used to normalize, in raw units.</param>
    public static TrainingData Split(Demonstrations demonstrations, double validationFraction, int seed, double stdFloor)
    {
        bool byData = demonstrations.Episodes.All(e => e.Split is not null);
        var (validation, train) = byData
            ? AsTheDataSplits(demonstrations.Episodes, seed)
            : EpisodeSplit.Choose(demonstrations.Episodes, e => e.Source, e => e.Id, validationFraction, seed);

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
        return new TrainingData(demonstrations, trainSet, validationSet, normalization, fingerprint, byData, null);
    }

    /// <summary>
    /// The sides the data gives (robomimic's masks): a dataset's split is how its results are compared. Each side is in
    /// the order <see cref="EpisodeSplit"/> shuffles episodes with the same seed, so that masks which hold the seeded
    /// split (as <c>trainer log export --format robomimic</c> writes them) train exactly as that split does.
    /// </summary>
    private static (DemoEpisode[] Validation, DemoEpisode[] Train) AsTheDataSplits(IEnumerable<DemoEpisode> episodes, int seed)
    {
        var order = EpisodeSplit.Shuffled(episodes, e => e.Source, e => e.Id, seed);
        DemoEpisode[] train = [.. order.Where(e => e.Split == SplitSide.Train)];
        DemoEpisode[] validation = [.. order.Where(e => e.Split == SplitSide.Validation)];
        if (train.Length == 0 || validation.Length == 0)
        {
            throw new InvalidDataException($"the data's split ({RobomimicMasks.Train} and {RobomimicMasks.Valid}) leaves {train.Length} training and " +
                $"{validation.Length} validation episode(s) with expert steps: both need at least one whole episode");
        }
        return (validation, train);
    }

    /// <summary>Data whose training split streams from disk (<paramref name="stream"/>); its validation samples are in memory, normalized.</summary>
    public static TrainingData Streamed(Demonstrations demonstrations, SampleSet validation, Normalization normalization, string fingerprint, StreamedTraining stream) =>
        new(demonstrations, new SampleSet(0, [], [], [], 0), validation, normalization, fingerprint, false, stream);

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
