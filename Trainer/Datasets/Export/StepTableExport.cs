using Parquet.Schema;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;
using Robotics.Trainer.Logs;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>What <see cref="StepTableExport.WriteAsync"/> wrote.</summary>
public sealed record StepTableExportSummary(int Logs, int Episodes, long Steps, int Robots, int Partitions, int DataFiles);

/// <summary>
/// Writes the steps of any number of logs, of any robots, as one step table (<see cref="StepTable"/>): a log at a
/// time, so a fleet's logs never need to fit in memory together. Episodes are numbered 0, 1, 2… in the order
/// <c>trainer train</c> splits logs (path, then episode id); an episode's rows stay together in one file.
/// </summary>
public static class StepTableExport
{
    /// <summary>Rows buffered per partition before they go out as a row group: the unit a streaming reader reads.</summary>
    public const int RowGroupRows = 65_536;

    /// <summary>A partition's file rolls over past this size, as LeRobot's do at 100 MB.</summary>
    public const long FileBytes = 128L * 1024 * 1024;

    public static async Task<StepTableExportSummary> WriteAsync(IReadOnlyList<string> logs, string root, List<string> problems)
    {
        var robots = new Dictionary<string, StepTableRobot>(StringComparer.Ordinal);
        var partitions = new Dictionary<string, StepTablePartition>(StringComparer.Ordinal);
        int episodes = 0;
        long steps = 0;
        try
        {
            foreach (string log in logs)
            {
                foreach (var episode in ExportedLogs.Read(log, problems))
                {
                    var robot = RobotOf(episode, robots);
                    string folder = Path.Combine(robot.Partition, StepTable.DatePartition(episode.Start.UnixTimeNs));
                    if (!partitions.TryGetValue(folder, out var partition))
                    {
                        partitions[folder] = partition = new StepTablePartition(Path.Combine(root, folder), robot);
                    }
                    await partition.AddAsync(Rows(episode, episodes++, robot));
                    steps += episode.Steps.Count;
                }
            }
            if (episodes == 0)
            {
                throw new InvalidDataException($"{(logs.Count == 1 ? logs[0] : $"{logs.Count} logs")}: no episodes to export");
            }
        }
        finally
        {
            foreach (var partition in partitions.Values)
            {
                await partition.DisposeAsync();
            }
        }
        File.WriteAllText(Path.Combine(root, StepTable.Manifest), StepTable.ManifestJson(robots.Values, episodes, steps).ToJsonString(new() { WriteIndented = true }));
        return new StepTableExportSummary(logs.Count, episodes, steps, robots.Count, partitions.Count, partitions.Values.Sum(p => p.Files));
    }

    /// <summary>The episode's robot, the same in name, rate and signals as every earlier episode of that name.</summary>
    private static StepTableRobot RobotOf(TeleopEpisode episode, Dictionary<string, StepTableRobot> robots)
    {
        var start = episode.Start;
        var robot = new StepTableRobot(start.Robot, StepTable.RobotPartition(start.Robot), start.ControlRateHz,
            [.. start.Observations.Select(s => s.Name)], [.. start.Actions.Select(s => s.Name)], [.. start.DiscreteActions]);
        if (!robots.TryGetValue(robot.Name, out var known))
        {
            robots[robot.Name] = robot;
            return robot;
        }
        string? differs =
            known.ControlRateHz != robot.ControlRateHz ? "control_rate_hz"
            : !known.Observations.SequenceEqual(robot.Observations) ? "observations"
            : !known.Actions.SequenceEqual(robot.Actions) ? "actions"
            : !known.DiscreteActions.SequenceEqual(robot.DiscreteActions) ? "discrete_actions"
            : null;
        return differs is null
            ? known
            : throw new InvalidDataException($"{episode.SourcePath}: episode {episode.Id}: {differs} differ from an earlier episode of robot '{robot.Name}': " +
                "a step table names each robot's signals once; give the robot another name, or export these logs apart");
    }

    private static StepTableRows Rows(TeleopEpisode episode, int index, StepTableRobot robot)
    {
        var steps = episode.Steps;
        var (observations, actions) = ExportedLogs.Vectors(episode);
        ulong start = episode.Start.TimestampNs;
        return new StepTableRows(
            observations, actions, robot.Observations.Count, robot.Actions.Count,
            [.. steps.Select(_ => (long)index)],
            [.. steps.Select(_ => episode.SourcePath)],
            [.. steps.Select(_ => (long)episode.Id)],
            [.. steps.Select(s => (long)s.Tick)],
            [.. steps.Select(s => (long)s.TimestampNs)],
            [.. steps.Select(s => (long)(episode.Start.UnixTimeNs + (s.TimestampNs - start)))],
            [.. steps.Select(s => LogSummary.SourceName(s.Source))],
            [.. steps.Select(ExportedLogs.IsExpert)],
            [.. steps.Select(s => (s.Flags & (uint)StepFlag.Intervention) != 0)],
            [.. steps.Select(s => (s.Flags & (uint)StepFlag.HelpRequested) != 0)],
            [.. steps.Select(s => (long)s.Flags)],
            [.. steps.Select(episode.OperatorOf)],
            [.. steps.Select(_ => episode.Start.Task)],
            [.. steps.Select(_ => OutcomeNames.Of(episode.Outcome))],
            [.. steps.Select(s => s.Uncertainty)],
            [.. steps.Select(s => s.Novelty)],
            [.. steps.Select(s => s.ObservationZ)],
            [.. steps.Select(s => (long)s.HelpTriggers)],
            [.. steps.Select(s => (long)s.LatenessNs)]);
    }

    internal static readonly DataField EpisodeIndexField = ParquetColumnWriter.Scalar<long>(StepTable.EpisodeIndex);
    internal static readonly DataField LogFileField = ParquetColumnWriter.Scalar<string>(StepTable.LogFile);
    internal static readonly DataField EpisodeIdField = ParquetColumnWriter.Scalar<long>(StepTable.EpisodeId);
    internal static readonly DataField TickField = ParquetColumnWriter.Scalar<long>(StepTable.Tick);
    internal static readonly DataField TimestampField = ParquetColumnWriter.Scalar<long>(StepTable.TimestampNs);
    internal static readonly DataField UnixTimeField = ParquetColumnWriter.Scalar<long>(StepTable.UnixTimeNs);
    internal static readonly DataField SourceField = ParquetColumnWriter.Scalar<string>(StepTable.Source);
    internal static readonly DataField ExpertField = ParquetColumnWriter.Scalar<bool>(StepTable.Expert);
    internal static readonly DataField InterventionField = ParquetColumnWriter.Scalar<bool>(StepTable.Intervention);
    internal static readonly DataField HelpRequestedField = ParquetColumnWriter.Scalar<bool>(StepTable.HelpRequested);
    internal static readonly DataField FlagsField = ParquetColumnWriter.Scalar<long>(StepTable.Flags);
    internal static readonly DataField OperatorField = ParquetColumnWriter.Scalar<string>(StepTable.Operator);
    internal static readonly DataField TaskField = ParquetColumnWriter.Scalar<string>(StepTable.Task);
    internal static readonly DataField OutcomeField = ParquetColumnWriter.Scalar<string>(StepTable.Outcome);
    internal static readonly DataField UncertaintyField = ParquetColumnWriter.Scalar<float>(StepTable.Uncertainty);
    internal static readonly DataField NoveltyField = ParquetColumnWriter.Scalar<float>(StepTable.Novelty);
    internal static readonly DataField ObservationZField = ParquetColumnWriter.Scalar<float>(StepTable.ObservationZ);
    internal static readonly DataField HelpTriggersField = ParquetColumnWriter.Scalar<long>(StepTable.HelpTriggers);
    internal static readonly DataField LatenessField = ParquetColumnWriter.Scalar<long>(StepTable.LatenessNs);
    internal static readonly ListField ObservationField = ParquetColumnWriter.Vector(StepTable.Observation);
    internal static readonly ListField ActionField = ParquetColumnWriter.Vector(StepTable.Action);

    internal static readonly ParquetSchema Schema = new(EpisodeIndexField, LogFileField, EpisodeIdField, TickField, TimestampField, UnixTimeField,
        SourceField, ExpertField, InterventionField, HelpRequestedField, FlagsField, OperatorField, TaskField, OutcomeField,
        UncertaintyField, NoveltyField, ObservationZField, HelpTriggersField, LatenessField, ObservationField, ActionField);
}
