using System.Globalization;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;
using Robotics.Trainer.Logs;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// One robot's episodes of a step table (<see cref="StepTable"/>) as the trainer's own logs give them, every step with
/// its source, flags, operator and its episode's outcome, so that training on the table is training on the logs it
/// came from. Each episode is told apart by its <c>episode_index</c>, numbered in the logs' training order.
/// </summary>
public static class StepTableEpisodes
{
    public static async Task<IReadOnlyList<TeleopEpisode>> ReadAsync(string path)
    {
        var (root, robot) = StepTable.Open(path);
        var rows = new List<(long Episode, string File, Step Step, string Task, string Outcome)>();
        foreach (string file in StepTable.DataFiles(root, robot))
        {
            await using var columns = await ParquetColumns.OpenAsync(file);
            var episodes = await columns.LongsAsync(StepTable.EpisodeIndex);
            var ticks = await columns.LongsAsync(StepTable.Tick);
            var times = await columns.LongsAsync(StepTable.TimestampNs);
            var sources = await columns.StringsAsync(StepTable.Source);
            var flags = await columns.LongsAsync(StepTable.Flags);
            var operators = await columns.StringsAsync(StepTable.Operator);
            var tasks = await columns.StringsAsync(StepTable.Task);
            var outcomes = await columns.StringsAsync(StepTable.Outcome);
            var observations = await columns.VectorsAsync(StepTable.Observation, robot.Observations.Count);
            var actions = await columns.VectorsAsync(StepTable.Action, robot.Actions.Count);
            for (int row = 0; row < columns.Rows; row++)
            {
                var step = new Step
                {
                    EpisodeId = (ulong)episodes[row],
                    Tick = (ulong)ticks[row],
                    TimestampNs = (ulong)times[row],
                    Source = LogSummary.SourceOf(sources[row]) ?? throw Bad(file, row, StepTable.Source, sources[row]),
                    Flags = (uint)flags[row],
                    Operator = operators[row],
                };
                step.Observation.AddRange(observations.AsSpan(row * robot.Observations.Count, robot.Observations.Count).ToArray());
                step.Action.AddRange(actions.AsSpan(row * robot.Actions.Count, robot.Actions.Count).ToArray());
                rows.Add((episodes[row], file, step, tasks[row], outcomes[row]));
            }
        }
        return [.. rows.GroupBy(r => r.Episode).OrderBy(g => g.Key).Select(g => Episode(path, robot, [.. g.OrderBy(r => r.Step.Tick)]))];
    }

    private static TeleopEpisode Episode(string path, StepTableRobot robot, List<(long Episode, string File, Step Step, string Task, string Outcome)> rows)
    {
        var first = rows[0];
        var start = new EpisodeStart
        {
            EpisodeId = (ulong)first.Episode,
            TimestampNs = first.Step.TimestampNs,
            Robot = robot.Name,
            ControlRateHz = robot.ControlRateHz,
            Task = first.Task,
        };
        start.Observations.AddRange(robot.Observations.Select(n => new SignalInfo { Name = n }));
        start.Actions.AddRange(robot.Actions.Select(n => new SignalInfo { Name = n }));
        start.DiscreteActions.AddRange(robot.DiscreteActions);
        var outcome = OutcomeNames.Named(first.Outcome) ?? throw Bad(first.File, 0, StepTable.Outcome, first.Outcome);
        var end = new EpisodeEnd { EpisodeId = start.EpisodeId, TimestampNs = rows[^1].Step.TimestampNs, Outcome = outcome };
        return TeleopEpisode.Imported(start, path, rows.Select(r => r.Step), end);
    }

    private static InvalidDataException Bad(string file, int row, string column, string value) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file}: column {column}, row {row}: '{value}' is not a name the exporter writes"));
}
