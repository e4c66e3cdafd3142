using Robotics.Protos.Log;

namespace Robotics.Protos.TeleopLog;

/// <summary>One episode read back from a teleop log: its start, its steps in order, and its end if recorded.</summary>
public sealed class TeleopEpisode
{
    private readonly List<Step> _steps = [];

    internal TeleopEpisode(EpisodeStart start, string sourcePath)
    {
        Start = start;
        SourcePath = sourcePath;
    }

    public EpisodeStart Start { get; }

    public IReadOnlyList<Step> Steps => _steps;

    /// <summary>The end record; null when the recording stopped before the episode ended.</summary>
    public EpisodeEnd? End { get; internal set; }

    /// <summary>The log file this episode came from.</summary>
    public string SourcePath { get; }

    public ulong Id => Start.EpisodeId;

    /// <summary>The outcome, or Unspecified when the episode has no end record.</summary>
    public EpisodeOutcome Outcome => End?.Outcome ?? EpisodeOutcome.Unspecified;

    /// <summary>
    /// Who drove <paramref name="step"/>: the override operator it names, else the episode's operator. An override
    /// step that names nobody (a log older than <see cref="Step.Operator"/>) was not the episode's operator's: empty.
    /// </summary>
    public string OperatorOf(Step step) =>
        step.Operator.Length > 0 ? step.Operator : step.Source == ActionSource.Override ? "" : Start.Operator;

    /// <summary>Time from the first to the last step, in seconds (0 with fewer than two steps).</summary>
    public double DurationSeconds => _steps.Count < 2 ? 0 : (_steps[^1].TimestampNs - _steps[0].TimestampNs) / 1e9;

    internal void Add(Step step) => _steps.Add(step);

    /// <summary>An episode read from another format (a LeRobot dataset, say), whole: its start, its steps in order, its end.</summary>
    public static TeleopEpisode Imported(EpisodeStart start, string sourcePath, IEnumerable<Step> steps, EpisodeEnd end)
    {
        var episode = new TeleopEpisode(start, sourcePath) { End = end };
        episode._steps.AddRange(steps);
        return episode;
    }
}
