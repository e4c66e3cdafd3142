using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Robotics.Trainer.Data;
using Robotics.Trainer.Datasets;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Streaming;

/// <summary>
/// Prepares training that streams its samples from LeRobot datasets or step tables (<see cref="IShardedDataset"/>)
/// rather than holding them in memory. Two passes over the data: the first reads only the episode and expert columns
/// and splits the episodes as in-memory training does (<see cref="EpisodeSplit"/>); the second reads every frame once to normalize with the training
/// episodes' statistics, to count the samples, to fingerprint the data and to keep the held-out samples (the first
/// <see cref="ValidationCap"/> of them, in file order) in memory for validation. Memory holds one row group at a time.
/// </summary>
public static class StreamPlanner
{
    /// <summary>Held-out samples kept for validation: a bound on memory that still scores each epoch on ample data.</summary>
    public const int ValidationCap = 262_144;

    public static TrainingData Prepare(IReadOnlyList<string> roots, TrainingConfig config)
    {
        Supports(config);
        var datasets = roots.Select(ShardedDatasets.Open).ToList();
        var first = datasets[0];
        foreach (var other in datasets.Skip(1))
        {
            RequireSameRobot(first, other);
        }
        int observations = first.ObservationNames.Count;
        int actions = first.ActionNames.Count;

        var episodes = new HashSet<(string Root, long Episode)>();
        var rows = new ShardRows();
        foreach (var (dataset, shard) in StreamedTraining.ShardsOf(datasets))
        {
            dataset.ReadEpisodesAsync(shard, rows).GetAwaiter().GetResult();
            for (int row = 0; row < rows.Count; row++)
            {
                if (rows.Expert[row])
                {
                    episodes.Add((dataset.Root, rows.Episodes[row]));
                }
            }
        }
        var (validation, train) = EpisodeSplit.Choose(episodes, e => e.Root, e => (ulong)e.Episode, config.ValidationFraction, config.Seed);
        var trains = datasets.ToDictionary(d => d.Root, d => train.Where(e => e.Root == d.Root).Select(e => e.Episode).ToHashSet(), StringComparer.Ordinal);
        var stream = new StreamedTraining(datasets, trains, 0);

        var observationMoments = new RunningMoments(observations);
        var actionMoments = new RunningMoments(actions);
        // The policy's action range covers every expert action, held-out ones too, as in memory.
        var everyAction = new RunningMoments(actions);
        var heldOut = new HeldOutSamples(observations, ValidationCap);
        long nonExpert = 0;
        long nonFinite = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join("\n", first.ObservationNames.Concat(first.ActionNames))));
        hash.AppendData(Encoding.UTF8.GetBytes(string.Join("\n", validation.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Root}#{e.Episode}")))));
        foreach (var (dataset, shard) in stream.Shards)
        {
            dataset.ReadAsync(shard, rows).GetAwaiter().GetResult();
            for (int row = 0; row < rows.Count; row++)
            {
                if (!StreamedTraining.Learnable(rows, row, observations, actions))
                {
                    nonExpert += rows.Expert[row] ? 0 : 1;
                    nonFinite += rows.Expert[row] ? 1 : 0;
                    continue;
                }
                var observation = rows.Observations.AsSpan(row * observations, observations);
                var action = rows.Actions.AsSpan(row * actions, actions);
                hash.AppendData(MemoryMarshal.AsBytes(observation));
                hash.AppendData(MemoryMarshal.AsBytes(action));
                everyAction.Add(action);
                if (stream.Trains(dataset.Root, rows.Episodes[row]))
                {
                    observationMoments.Add(observation);
                    actionMoments.Add(action);
                }
                else
                {
                    heldOut.Add((dataset.Root, rows.Episodes[row]), observation, action);
                }
            }
        }
        if (observationMoments.Rows == 0)
        {
            throw new InvalidDataException($"no expert steps to learn from in the training episodes of {string.Join(", ", roots)}: {nonExpert} steps the policy drove, {nonFinite} with NaN or infinity");
        }
        var (obsMean, obsStd) = observationMoments.Statistics(config.StdFloor);
        // Continuous heads only (Supports): their actions are standardized as the observations are.
        var (actMean, actStd) = actionMoments.Statistics(config.StdFloor);
        var normalization = new Normalization(obsMean, obsStd, actMean, actStd);
        var demonstrations = new Demonstrations
        {
            Kind = config.Kind ?? new GaussianHead(),
            Robot = first.Robot,
            ControlRateHz = first.ControlRateHz,
            ObservationNames = first.ObservationNames,
            ActionNames = first.ActionNames,
            DiscreteActionNames = [],
            Episodes = [],
            SkippedNonExpert = nonExpert,
            SkippedNonFinite = nonFinite,
            Warnings = [.. datasets.SelectMany(d => d.Warnings), .. heldOut.Warning(validation.Length)],
            StreamedActionExtremes = everyAction.Extremes(),
        };
        string fingerprint = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        return TrainingData.Streamed(demonstrations, heldOut.Normalized(normalization), normalization,
            fingerprint, new StreamedTraining(datasets, trains, observationMoments.Rows));
    }

    /// <summary>What streamed training cannot do, each refused with the reason: it reads samples in file order, a pool at a time.</summary>
    private static void Supports(TrainingConfig config)
    {
        if (config.Kind is { ActsDiscretely: true })
        {
            throw new ArgumentException($"--kind {config.Kind.MetadataName}: streamed training takes continuous actions");
        }
        if (config.EnsembleMembers > 1)
        {
            throw new ArgumentException("--ensemble: an ensemble's members resample whole episodes, which needs them in memory; train it with --stream off");
        }
        if (config.ObsKeys is not null)
        {
            throw new ArgumentException($"{RobomimicObsKeys.Option} chooses the obs keys of robomimic files, and streamed training reads LeRobot datasets and step tables");
        }
        if (config.OnlySuccess || config.OutcomeWeights.Count > 0 || config.OperatorWeights.Count > 0)
        {
            throw new ArgumentException("--only-success, --weight-outcome and --weight-operator need outcomes and operators, which streamed training does not read (LeRobot datasets record none): train with --stream off");
        }
    }

    private static void RequireSameRobot(IShardedDataset a, IShardedDataset b)
    {
        string? what =
            a.Robot != b.Robot ? $"name '{a.Robot}' vs '{b.Robot}'"
            : a.ControlRateHz != b.ControlRateHz ? string.Create(CultureInfo.InvariantCulture, $"rate {a.ControlRateHz} Hz vs {b.ControlRateHz} Hz")
            : !a.ObservationNames.SequenceEqual(b.ObservationNames) ? "observation names"
            : !a.ActionNames.SequenceEqual(b.ActionNames) ? "action names"
            : null;
        if (what is not null)
        {
            throw new InvalidDataException($"datasets disagree on the robot's {what}: {a.Root} and {b.Root}");
        }
    }
}
