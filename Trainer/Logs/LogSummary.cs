using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Trainer.Logs;

/// <summary>The figures <c>trainer log info</c> reports for one log file or a set of them.</summary>
public sealed record LogSummary(
    IReadOnlyList<string> Files,
    int Episodes,
    IReadOnlyDictionary<string, int> Outcomes,
    long Steps,
    double DurationSeconds,
    IReadOnlyList<double> NominalRatesHz,
    IReadOnlyDictionary<string, long> StepsPerSource,
    long DroppedSteps,
    long DroppedEvents,
    long OrphanSteps,
    int UnclosedFiles)
{
    /// <summary>Ticks per second actually achieved: step intervals over time, within episodes; null with no interval to measure.</summary>
    public double? AchievedRateHz { get; init; }

    /// <summary>The robots the episodes were recorded on (one, for a single recording); none when no episode start was read.</summary>
    public IReadOnlyList<RecordedRobot> Robots { get; init; } = [];

    /// <summary>
    /// Expert steps (teleop and override, what training learns from) per operator who drove them
    /// (<see cref="TeleopEpisode.OperatorOf"/>; empty: unnamed), most first.
    /// </summary>
    public IReadOnlyDictionary<string, long> ExpertStepsPerOperator { get; init; } = new Dictionary<string, long>();

    public static LogSummary Of(IReadOnlyList<TeleopLogFile> logs) =>
        Of([.. logs.Select(log => log.Path)], [.. logs.SelectMany(log => log.Episodes)], logs.Select(log => log.Robot)) with
        {
            DroppedSteps = logs.Sum(log => log.DroppedSteps),
            DroppedEvents = logs.Sum(log => log.DroppedEvents),
            OrphanSteps = logs.Sum(log => log.OrphanSteps),
            UnclosedFiles = logs.Count(log => !log.WasClosed),
        };

    /// <summary>
    /// The figures of a dataset another tool wrote (a LeRobot folder, a robomimic file), read as the trainer reads it:
    /// its episodes as logs would hold them, with nothing dropped, nothing cut.
    /// </summary>
    public static LogSummary OfDataset(string path, IReadOnlyList<TeleopEpisode> episodes) => Of([path], episodes, []);

    private static LogSummary Of(IReadOnlyList<string> files, IReadOnlyList<TeleopEpisode> episodes, IEnumerable<string?> robotsNamedInFiles)
    {
        var outcomes = new Dictionary<string, int>
        {
            ["success"] = episodes.Count(e => e.Outcome == EpisodeOutcome.Success),
            ["failure"] = episodes.Count(e => e.Outcome == EpisodeOutcome.Failure),
            ["aborted"] = episodes.Count(e => e.Outcome == EpisodeOutcome.Aborted),
            ["incomplete"] = episodes.Count(e => e.End is null),
            // Ended with no outcome: what a LeRobot dataset's episodes are, which record none.
            ["unspecified"] = episodes.Count(e => e.End is not null && e.Outcome == EpisodeOutcome.Unspecified),
        };
        var sources = new Dictionary<string, long>
        {
            ["teleop"] = 0,
            ["policy"] = 0,
            ["override"] = 0,
            ["safety"] = 0,
            ["unspecified"] = 0,
        };
        foreach (var step in episodes.SelectMany(e => e.Steps))
        {
            sources[SourceName(step.Source)]++;
        }
        double duration = episodes.Sum(e => e.DurationSeconds);
        long intervals = episodes.Sum(e => Math.Max(0L, e.Steps.Count - 1));
        return new LogSummary(
            files,
            episodes.Count,
            outcomes,
            episodes.Sum(e => (long)e.Steps.Count),
            duration,
            [.. episodes.Select(e => e.Start.ControlRateHz).Distinct().Order()],
            sources,
            DroppedSteps: 0,
            DroppedEvents: 0,
            OrphanSteps: 0,
            UnclosedFiles: 0)
        {
            AchievedRateHz = intervals > 0 && duration > 0 ? intervals / duration : null,
            Robots = RecordedRobot.Of(episodes.Select(e => e.Start), robotsNamedInFiles),
            ExpertStepsPerOperator = ExpertStepsByOperator(episodes),
        };
    }

    /// <summary>How an operator's name reads in a report: an unnamed one says so.</summary>
    public static string OperatorName(string name) => name.Length == 0 ? "(unnamed)" : name;

    private static Dictionary<string, long> ExpertStepsByOperator(IEnumerable<TeleopEpisode> episodes) =>
        episodes
            .SelectMany(e => e.Steps.Where(s => s.Source is ActionSource.Teleop or ActionSource.Override).Select(e.OperatorOf))
            .CountBy(name => name, StringComparer.Ordinal)
            .OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(pair => pair.Key, pair => (long)pair.Value, StringComparer.Ordinal);

    public static string SourceName(ActionSource source) => source switch
    {
        ActionSource.Teleop => "teleop",
        ActionSource.Policy => "policy",
        ActionSource.Override => "override",
        ActionSource.Safety => "safety",
        _ => "unspecified",
    };

    /// <summary>The source <see cref="SourceName"/> names <paramref name="name"/>; null for a name it never gives.</summary>
    public static ActionSource? SourceOf(string name) =>
        Enum.GetValues<ActionSource>().Select(source => (ActionSource?)source).FirstOrDefault(source => SourceName(source!.Value) == name);
}
