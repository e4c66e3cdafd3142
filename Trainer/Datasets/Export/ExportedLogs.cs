using System.Globalization;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>
/// The teleop logs an export reads, and the episodes it writes, in the order <c>trainer train</c> splits them (log path,
/// then episode id), so that an exported dataset numbers its episodes as the trainer orders the logs. Each log is read
/// whole and strictly (a cut log is refused: <c>trainer log recover</c> rescues it); an episode whose start the trainer
/// refuses is refused here too, naming the file and the episode.
/// </summary>
public static class ExportedLogs
{
    /// <summary>The log files under <paramref name="paths"/> (files or directories), in ordinal path order.</summary>
    public static IReadOnlyList<string> Find(IReadOnlyList<string> paths)
    {
        var files = paths.SelectMany(TeleopLogReader.FindLogs).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"{string.Join(", ", paths)}: no .mcap files");
    }

    /// <summary>One log's episodes, checked; <paramref name="problems"/> gets what the reader noticed.</summary>
    public static IReadOnlyList<TeleopEpisode> Read(string file, List<string> problems)
    {
        var log = TeleopLogReader.Read(file);
        problems.AddRange(log.Issues.Select(issue => $"{file}: {issue}"));
        foreach (var episode in log.Episodes)
        {
            if (EpisodeRules.Problem(episode.Start) is string problem)
            {
                throw new InvalidDataException($"{file}: episode {episode.Id}: {problem}");
            }
        }
        return [.. log.Episodes.OrderBy(e => e.Id)];
    }

    /// <summary>Every episode of <paramref name="files"/>, in order; refused when there is none.</summary>
    public static IReadOnlyList<TeleopEpisode> ReadAll(IReadOnlyList<string> files, List<string> problems)
    {
        var episodes = files.SelectMany(file => Read(file, problems)).ToList();
        return episodes.Count > 0 ? episodes : throw new InvalidDataException($"{Describe(files)}: no episodes to export");
    }

    /// <summary>
    /// A LeRobot dataset or a robomimic file describes one robot: every episode must name the same robot, rate and
    /// signals as the first. Discrete action spaces are refused: neither format records the actions' names.
    /// </summary>
    public static void RequireOneRobot(IReadOnlyList<TeleopEpisode> episodes, string format)
    {
        var first = episodes[0];
        foreach (var episode in episodes)
        {
            if (episode.Start.DiscreteActions.Count > 0)
            {
                throw new InvalidDataException($"{episode.SourcePath}: episode {episode.Id}: discrete_actions: {format} has no place for a discrete action space's names; use --format parquet");
            }
            string? field =
                episode.Start.Robot != first.Start.Robot ? $"robot '{episode.Start.Robot}' where"
                : episode.Start.ControlRateHz != first.Start.ControlRateHz ? string.Create(CultureInfo.InvariantCulture, $"control_rate_hz {episode.Start.ControlRateHz} where")
                : !Names(episode.Start.Observations).SequenceEqual(Names(first.Start.Observations)) ? "observations names differ from"
                : !Names(episode.Start.Actions).SequenceEqual(Names(first.Start.Actions)) ? "actions names differ from"
                : null;
            if (field is not null)
            {
                throw new InvalidDataException($"{episode.SourcePath}: episode {episode.Id}: {field} episode {first.Id} of {first.SourcePath}: " +
                    $"a {format} export holds one robot; export these logs apart, or use --format parquet");
            }
        }
    }

    /// <summary>
    /// The episode's observations and actions, flat, step after step; a step whose vectors are not as wide as the
    /// episode's start names is refused, naming the file, the episode and the tick.
    /// </summary>
    public static (float[] Observations, float[] Actions) Vectors(TeleopEpisode episode)
    {
        var steps = episode.Steps;
        int observations = episode.Start.Observations.Count;
        int actions = episode.Start.Actions.Count;
        var state = new float[steps.Count * observations];
        var action = new float[steps.Count * actions];
        for (int i = 0; i < steps.Count; i++)
        {
            RequireWidth(episode, steps[i], "observation", steps[i].Observation.Count, observations);
            RequireWidth(episode, steps[i], "action", steps[i].Action.Count, actions);
            steps[i].Observation.CopyTo(state, i * observations);
            steps[i].Action.CopyTo(action, i * actions);
        }
        return (state, action);
    }

    private static void RequireWidth(TeleopEpisode episode, Step step, string what, int count, int width)
    {
        if (count != width)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{episode.SourcePath}: episode {episode.Id}, tick {step.Tick}: {what} has {count} entries where the episode names {width}"));
        }
    }

    /// <summary>The steps the trainer learns from: an operator's (teleoperated or overriding the policy).</summary>
    public static bool IsExpert(Step step) => step.Source is ActionSource.Teleop or ActionSource.Override;

    private static IEnumerable<string> Names(IEnumerable<SignalInfo> signals) => signals.Select(s => s.Name);

    private static string Describe(IReadOnlyList<string> files) => files.Count == 1 ? files[0] : $"{files.Count} logs";
}
