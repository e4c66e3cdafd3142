using System.Globalization;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Datasets;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Data;

/// <summary>Which episodes and steps of the logs to learn from.</summary>
public sealed record DemonstrationFilter
{
    /// <summary>Only episodes whose outcome is success (BC copies the expert's mistakes too).</summary>
    public bool OnlySuccess { get; init; }

    /// <summary>The policy head asked for; null to follow the logs (<see cref="PolicyHeads.For"/> their action space).</summary>
    public PolicyHead? Kind { get; init; }

    /// <summary>The obs keys of robomimic files that make the observation, in order (<c>--obs-keys</c>); null for every low-dimensional key.</summary>
    public IReadOnlyList<string>? ObsKeys { get; init; }
}

/// <summary>
/// Reads teleop logs (files or directories) into expert demonstrations: only steps whose source is teleop or
/// override, never the policy's own actions or the safety layer's; every episode must describe the same robot.
/// </summary>
public static class DemonstrationLoader
{
    public static Demonstrations Load(IEnumerable<string> paths, DemonstrationFilter filter)
    {
        var given = paths.ToList();
        // Folders that are datasets are read whole, not searched for logs.
        var datasets = given.Where(p => LeRobotDataset.IsDataset(p) || StepTable.IsDataset(p)).Distinct(StringComparer.Ordinal).ToList();
        var files = given.Except(datasets).SelectMany(TeleopLogReader.FindLogs).Distinct(StringComparer.Ordinal).Concat(datasets).ToList();
        if (files.Count == 0)
        {
            throw new InvalidDataException("no teleop logs: give .mcap files, directories that hold them, LeRobot dataset folders, robomimic .hdf5 files or step tables");
        }
        if (filter.ObsKeys is not null && !files.Any(RobomimicFile.IsFile))
        {
            throw new ArgumentException($"{RobomimicObsKeys.Option} chooses the obs keys of robomimic files (.hdf5, .h5), and --data gives none");
        }
        TeleopEpisode? first = null;
        var episodes = new List<DemoEpisode>();
        var nonFinite = new NonFiniteSteps();
        long nonExpert = 0;
        int byOutcome = 0;
        int totalEpisodes = 0;
        var warnings = new List<string>();
        foreach (string file in files)
        {
            var (read, splitOf) = Read(file, filter, warnings);
            foreach (var episode in read)
            {
                totalEpisodes++;
                if (EpisodeRules.Problem(episode.Start) is string problem)
                {
                    throw new InvalidDataException($"{file}: episode {episode.Id}: {problem}");
                }
                first ??= episode;
                RequireSameRobot(first, episode);
                if (filter.OnlySuccess && episode.Outcome != EpisodeOutcome.Success)
                {
                    byOutcome++;
                    continue;
                }
                var samples = Extract(episode, nonFinite, ref nonExpert);
                if (samples is not null)
                {
                    episodes.Add(samples with { Split = splitOf(episode.Id) });
                }
            }
        }
        if (first is null)
        {
            throw new InvalidDataException($"no episodes in {Describe(files)}");
        }
        bool discrete = first.Start.DiscreteActions.Count > 0;
        var fitting = PolicyHeads.For(discrete);
        var kind = filter.Kind ?? fitting;
        if (kind.ActsDiscretely != discrete)
        {
            throw new InvalidDataException(discrete
                ? $"--kind {kind.MetadataName} needs continuous actions, but {first.SourcePath} records discrete actions ({string.Join(", ", first.Start.DiscreteActions)}): use --kind {fitting.MetadataName}"
                : $"--kind {kind.MetadataName} needs discrete actions, but {first.SourcePath} records continuous actions ({string.Join(", ", first.Start.Actions.Select(a => a.Name))}): use --kind {fitting.MetadataName}");
        }
        if (episodes.Count == 0)
        {
            throw new InvalidDataException($"no expert steps to learn from in {Describe(files)}: {totalEpisodes} episodes, " +
                $"{byOutcome} left out as unsuccessful, {nonExpert} steps from the policy or the safety layer, {nonFinite.Count} with NaN or infinity");
        }
        return new Demonstrations
        {
            Kind = kind,
            Robot = first.Start.Robot,
            ControlRateHz = first.Start.ControlRateHz,
            ObservationNames = [.. first.Start.Observations.Select(s => s.Name)],
            ActionNames = [.. first.Start.Actions.Select(s => s.Name)],
            DiscreteActionNames = [.. first.Start.DiscreteActions],
            Episodes = OneSplitRule(episodes, warnings),
            SkippedNonFinite = nonFinite.Count,
            FirstNonFinite = nonFinite.First,
            SkippedNonExpert = nonExpert,
            SkippedEpisodesByOutcome = byOutcome,
            Warnings = warnings,
        };
    }

    /// <summary>Whether <paramref name="path"/> is a dataset (a robomimic file, a LeRobot folder, a step table) rather than teleop logs.</summary>
    public static bool IsDataset(string path) => RobomimicFile.IsFile(path) || LeRobotDataset.IsDataset(path) || StepTable.IsDataset(path);

    /// <summary>
    /// A dataset's episodes (<see cref="IsDataset"/>) as training reads them, every low-dimensional key of a robomimic
    /// file; what reading noticed goes to <paramref name="warnings"/>.
    /// </summary>
    public static IReadOnlyList<TeleopEpisode> DatasetEpisodes(string path, List<string> warnings) =>
        Read(path, new DemonstrationFilter(), warnings).Episodes;

    /// <summary>
    /// The episodes of a log, a LeRobot dataset folder or a robomimic file, and the split side the file gives each
    /// (robomimic's masks; null for none); what reading noticed goes to <paramref name="warnings"/>.
    /// </summary>
    private static (IReadOnlyList<TeleopEpisode> Episodes, Func<ulong, SplitSide?> SplitOf) Read(string path, DemonstrationFilter filter, List<string> warnings)
    {
        if (RobomimicFile.IsFile(path))
        {
            var file = RobomimicFile.Read(path, filter.ObsKeys);
            warnings.AddRange(file.Warnings);
            return (RobomimicEpisodes.From(file), RobomimicEpisodes.SplitOf(file));
        }
        if (LeRobotDataset.IsDataset(path))
        {
            // Parquet.Net reads asynchronously only; the trainer's command line has no synchronization context to deadlock.
            var dataset = LeRobotDataset.ReadAsync(path).GetAwaiter().GetResult();
            warnings.AddRange(LeRobotDataset.SkippedWarnings(dataset.Info, path));
            return (LeRobotEpisodes.From(dataset, path), NoSplit);
        }
        if (StepTable.IsDataset(path))
        {
            return (StepTableEpisodes.ReadAsync(path).GetAwaiter().GetResult(), NoSplit);
        }
        var log = TeleopLogReader.Read(path);
        warnings.AddRange(log.Issues.Select(issue => $"{path}: {issue}"));
        return (log.Episodes, NoSplit);
    }

    private static SplitSide? NoSplit(ulong episode) => null;

    /// <summary>
    /// A split the data gives is taken only when it gives every episode's side: when some inputs have one (a
    /// robomimic file's masks) and others not (logs), the seeded split takes them all, and says so.
    /// </summary>
    private static List<DemoEpisode> OneSplitRule(List<DemoEpisode> episodes, List<string> warnings)
    {
        int assigned = episodes.Count(e => e.Split is not null);
        if (assigned == 0 || assigned == episodes.Count)
        {
            return episodes;
        }
        warnings.Add($"{assigned} of {episodes.Count} episodes have a side in their file's {RobomimicMasks.Train} and {RobomimicMasks.Valid}, the others none: " +
            "all are split by --val-fraction and --seed instead");
        return [.. episodes.Select(e => e with { Split = null })];
    }

    /// <summary>
    /// Whether training learns from <paramref name="episode"/>: it has an expert step free of NaN and infinity. The
    /// seeded split places exactly these episodes.
    /// </summary>
    public static bool HasExpertSamples(TeleopEpisode episode)
    {
        long nonExpert = 0;
        return Extract(episode, new NonFiniteSteps(), ref nonExpert) is not null;
    }

    private static DemoEpisode? Extract(TeleopEpisode episode, NonFiniteSteps nonFinite, ref long nonExpert)
    {
        int observations = episode.Start.Observations.Count;
        int actions = episode.Start.Actions.Count;
        int discrete = episode.Start.DiscreteActions.Count;
        var obs = new List<float>();
        var act = new List<float>();
        var labels = new List<long>();
        var operators = new List<string>();
        foreach (var step in episode.Steps)
        {
            if (step.Source is not (ActionSource.Teleop or ActionSource.Override))
            {
                nonExpert++;
                continue;
            }
            if (!AllFinite(step.Observation) || !AllFinite(step.Action))
            {
                nonFinite.Add(episode, step);
                continue;
            }
            if (discrete > 0)
            {
                float index = step.Action[0];
                if (index != MathF.Floor(index) || index < 0 || index >= discrete)
                {
                    throw new InvalidDataException($"{episode.SourcePath}: episode {episode.Id}, tick {step.Tick}: the discrete action is {index}, not an index in 0..{discrete - 1}");
                }
                labels.Add((long)index);
            }
            obs.AddRange(step.Observation);
            act.AddRange(step.Action);
            operators.Add(episode.OperatorOf(step));
        }
        int steps = obs.Count / observations;
        return steps == 0 ? null : new DemoEpisode(episode.SourcePath, episode.Id, steps, [.. obs], [.. act], [.. labels])
        {
            Outcome = episode.Outcome,
            Operators = [.. operators],
        };
    }

    private static void RequireSameRobot(TeleopEpisode first, TeleopEpisode other)
    {
        var a = first.Start;
        var b = other.Start;
        string? what =
            a.Robot != b.Robot ? $"name: '{a.Robot}' vs '{b.Robot}'"
            : a.ControlRateHz != b.ControlRateHz ? string.Create(CultureInfo.InvariantCulture, $"control rate: {a.ControlRateHz} Hz vs {b.ControlRateHz} Hz")
            : Differs("observations", a.Observations.Select(s => s.Name).ToList(), b.Observations.Select(s => s.Name).ToList())
            ?? Differs("actions", a.Actions.Select(s => s.Name).ToList(), b.Actions.Select(s => s.Name).ToList())
            ?? Differs("discrete actions", a.DiscreteActions, b.DiscreteActions);
        if (what is not null)
        {
            throw new InvalidDataException($"episodes disagree on the robot's {what}: episode {first.Id} of {first.SourcePath} and episode {other.Id} of {other.SourcePath}");
        }
    }

    /// <summary>How two name lists differ: their sizes, or the first entry that does (a full list can be thousands long).</summary>
    private static string? Differs(string what, IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (a.Count != b.Count)
        {
            return $"{what}: {a.Count} vs {b.Count}";
        }
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return $"{what}: entry {i} is '{a[i]}' vs '{b[i]}'";
            }
        }
        return null;
    }

    private static bool AllFinite(IEnumerable<float> values) => values.All(float.IsFinite);

    private static string Describe(List<string> files) => files.Count == 1 ? files[0] : $"{files.Count} files";
}
