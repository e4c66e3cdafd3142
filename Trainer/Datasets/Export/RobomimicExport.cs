using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf.Collections;
using PureHDF;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;
using Robotics.Trainer.Logs;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>What <see cref="RobomimicExport.Write"/> wrote.</summary>
/// <param name="Skipped">Episodes without a step, which have no demo (robomimic's demos hold at least one sample).</param>
/// <param name="Warnings">What the reader of the file should know, a line each.</param>
public sealed record RobomimicExportSummary(int Demos, long Samples, int ObsKeys, int Train, int Valid, int Skipped, IReadOnlyList<string> Warnings);

/// <summary>
/// Writes teleop episodes as a robomimic HDF5 file (docs/dataset-formats.md §4, its §5 exporter checklist; the layout
/// robomimic's low-dim BC loads) through PureHDF: <c>data/demo_i</c> for every episode with steps, numbered 0, 1, 2…
/// in the order <c>trainer train</c> orders the logs, every step a sample whatever its source. Beside robomimic's
/// datasets each demo keeps each frame's source and operator, Sirius's <c>intv_labels</c>, and the episode's outcome,
/// task and origin (<see cref="RobomimicMarkers"/>); <c>mask/train</c> and <c>mask/valid</c> are the trainer's own
/// seeded split at its defaults.
/// </summary>
public static class RobomimicExport
{
    /// <summary>
    /// robomimic's EnvType.GYM: a robot of ours is no robosuite (EnvType 1, whose demos robomimic replays from MuJoCo
    /// <c>states</c> and <c>model_file</c>, which a real robot has not) nor iGibson (3). A gym env is one made by name
    /// (EnvGym.serialize writes exactly env_name, type and env_kwargs), so a robot registered as a gym env under its
    /// name could run robomimic's rollouts; without one, training runs with rollouts off.
    /// </summary>
    public const int GymEnvType = 2;

    public static RobomimicExportSummary Write(IReadOnlyList<TeleopEpisode> episodes, string path)
    {
        ExportedLogs.RequireOneRobot(episodes, "robomimic");
        var first = episodes[0];
        var demos = episodes.Where(e => e.Steps.Count > 0).ToList();
        var warnings = episodes.Where(e => e.Steps.Count == 0).Select(e => $"{e.SourcePath}: episode {e.Id}: no steps, so no demo").ToList();
        if (demos.Count == 0)
        {
            throw new InvalidDataException($"{first.SourcePath}: no episode has a step: a robomimic demo holds at least one sample");
        }
        var keys = ObsKeys(first.Start.Observations);
        var data = new H5Group();
        long total = 0;
        for (int i = 0; i < demos.Count; i++)
        {
            data[DemoName(i)] = Demo(demos[i], keys);
            total += demos[i].Steps.Count;
        }
        data.Attributes = new Dictionary<string, object>
        {
            [RobomimicEnvArgs.Attribute] = EnvArgs(first),
            ["total"] = total,
        };
        var file = new H5File { ["data"] = data };
        var split = Split(demos, warnings);
        if (split is { } sides)
        {
            file["mask"] = new H5Group
            {
                ["train"] = Names(sides.Train),
                ["valid"] = Names(sides.Validation),
            };
        }
        file.Write(path);
        return new RobomimicExportSummary(demos.Count, total, keys.Count, split?.Train.Length ?? 0, split?.Validation.Length ?? 0,
            episodes.Count - demos.Count, warnings);
    }

    private static string DemoName(int index) => string.Create(CultureInfo.InvariantCulture, $"demo_{index}");

    /// <summary>
    /// One obs key per observation entry, <c>NN_name</c>: its index zero-padded to the width of the last one, so that
    /// the keys sorted by name (what robomimic lists and the importer takes by default) are in the observation's order,
    /// then its name, a <c>/</c> (an HDF5 path separator) made <c>_</c>. Each key is <c>(N, 1)</c> and keeps the exact
    /// name in its <see cref="RobomimicMarkers.Names"/> attribute.
    /// </summary>
    private static IReadOnlyList<(string Key, string Name)> ObsKeys(RepeatedField<SignalInfo> observations)
    {
        int digits = Math.Max(2, (observations.Count - 1).ToString(CultureInfo.InvariantCulture).Length);
        return [.. observations.Select((s, i) => (i.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + "_" + s.Name.Replace('/', '_'), s.Name))];
    }

    private static string EnvArgs(TeleopEpisode first) => new JsonObject
    {
        ["env_name"] = first.Start.Robot,
        ["type"] = GymEnvType,
        ["env_kwargs"] = new JsonObject { ["control_freq"] = first.Start.ControlRateHz },
    }.ToJsonString();

    private static H5Group Demo(TeleopEpisode episode, IReadOnlyList<(string Key, string Name)> keys)
    {
        var steps = episode.Steps;
        int n = steps.Count;
        int width = keys.Count;
        var (observations, actions) = ExportedLogs.Vectors(episode);
        var obs = new H5Group();
        var nextObs = new H5Group();
        for (int k = 0; k < width; k++)
        {
            var column = new float[n];
            var next = new float[n];
            for (int t = 0; t < n; t++)
            {
                column[t] = observations[t * width + k];
                // The last step has no observation after it on a real robot: its next is its own (§5).
                next[t] = observations[Math.Min(t + 1, n - 1) * width + k];
            }
            obs[keys[k].Key] = Named(new H5Dataset(column, fileDims: [(ulong)n, 1]), [keys[k].Name]);
            nextObs[keys[k].Key] = new H5Dataset(next, fileDims: [(ulong)n, 1]);
        }
        bool success = episode.Outcome == EpisodeOutcome.Success;
        // robosuite's sparse reward: 1 on reaching success, which the trainer's importer reads as the outcome too.
        var rewards = new double[n];
        rewards[^1] = success ? 1 : 0;
        var dones = new long[n];
        dones[^1] = 1;
        return new H5Group
        {
            ["actions"] = Named(new H5Dataset(actions, fileDims: [(ulong)n, (ulong)episode.Start.Actions.Count]), [.. episode.Start.Actions.Select(a => a.Name)]),
            ["rewards"] = rewards,
            ["dones"] = dones,
            ["obs"] = obs,
            ["next_obs"] = nextObs,
            [RobomimicMarkers.Source] = steps.Select(s => LogSummary.SourceName(s.Source)).ToArray(),
            [RobomimicMarkers.InterventionLabels] = steps.Select(s => (long)RobomimicMarkers.SiriusLabel(s.Source)).ToArray(),
            [RobomimicMarkers.Operator] = steps.Select(episode.OperatorOf).ToArray(),
            Attributes = new Dictionary<string, object>
            {
                ["num_samples"] = (long)n,
                [RobomimicMarkers.Outcome] = OutcomeNames.Of(episode.Outcome),
                [RobomimicMarkers.Task] = episode.Start.Task,
                [RobomimicMarkers.LogFile] = episode.SourcePath,
                [RobomimicMarkers.LogEpisodeId] = (long)episode.Id,
            },
        };
    }

    private static H5Dataset Named(H5Dataset dataset, string[] names)
    {
        dataset.Attributes = new Dictionary<string, object> { [RobomimicMarkers.Names] = names };
        return dataset;
    }

    /// <summary>
    /// <c>trainer train</c>'s split at its default seed and validation fraction, of the episodes it learns from (those
    /// with an expert step), by the same rule (<see cref="EpisodeSplit"/>); training on the file then holds out the
    /// same episodes as training on the logs. Demos without an expert step are in neither mask: robomimic, which
    /// knows no sources, would otherwise imitate the policy's own actions. Null, with a warning, when the episodes
    /// cannot be split (too few); the file then has no masks.
    /// </summary>
    private static (int[] Validation, int[] Train)? Split(List<TeleopEpisode> demos, List<string> warnings)
    {
        var defaults = new TrainingConfig();
        var learned = Enumerable.Range(0, demos.Count).Where(i => DemonstrationLoader.HasExpertSamples(demos[i])).ToList();
        try
        {
            var (validation, train) = EpisodeSplit.Choose(learned, i => demos[i].SourcePath, i => demos[i].Id, defaults.ValidationFraction, defaults.Seed);
            return ([.. validation.Order()], [.. train.Order()]);
        }
        catch (InvalidDataException e)
        {
            warnings.Add($"no {RobomimicMasks.Train} and {RobomimicMasks.Valid}: {e.Message}");
            return null;
        }
    }

    private static string[] Names(int[] demos) => [.. demos.Select(DemoName)];
}
