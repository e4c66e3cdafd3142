using System.CommandLine;
using System.Text.Json.Nodes;
using Robotics.Controller.CommandLine;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Datasets.Export;

namespace Robotics.Trainer.Cli;

/// <summary><c>trainer log export LOGS... OUT --format F</c>: teleop logs as a dataset other tools load.</summary>
internal static class LogExportCommand
{
    /// <summary>What one format's export printed and the figures <c>--json</c> carries.</summary>
    private sealed record Written(string Line, JsonObject Figures);

    public static Command Create()
    {
        // One argument list, OUT last: System.CommandLine gives a list argument every token, leaving none for a second argument.
        var paths = new Argument<string[]>("logs-then-out")
        {
            Description = "Teleop logs (.mcap) or directories searched recursively for them, then OUT: the dataset to write (an existing one that is not empty is refused unless --force).",
            Arity = new ArgumentArity(2, ArgumentArity.OneOrMore.MaximumNumberOfValues),
        };
        var format = new Option<string>("--format")
        {
            Description = "lerobot: a LeRobot v3.0 dataset folder (every step a frame, with its source and intervention). " +
                "robomimic: a robomimic HDF5 file (every step a sample, with its source; mask/train and mask/valid as trainer train splits at its defaults). " +
                "parquet: the steps of any number of logs and robots as one Parquet dataset partitioned by robot and day, for DuckDB, Spark, Polars or pandas.",
            Required = true,
        };
        PlainOptions.OneOf(format, "lerobot", "robomimic", "parquet");
        var force = new Option<bool>("--force") { Description = "Replace OUT if it exists." };
        var json = CliCommand.JsonOption();
        var command = new Command("export", "Write teleop logs as a dataset: written whole into a sibling of OUT, then moved into place.") { paths, format, force, json };
        command.SetAction(parse => CliCommand.RunAsync(parse, json, async console =>
        {
            var given = parse.GetValue(paths)!;
            string chosen = parse.GetValue(format)!;
            var files = ExportedLogs.Find(given[..^1]);
            var problems = new List<string>();
            using var target = ExportOutput.Begin(given[^1], parse.GetValue(force), directory: chosen is not "robomimic");
            var written = chosen switch
            {
                "lerobot" => await LeRobotAsync(ExportedLogs.ReadAll(files, problems), target.Staging),
                "robomimic" => Robomimic(ExportedLogs.ReadAll(files, problems), target.Staging, problems),
                "parquet" => await StepTableAsync(files, target.Staging, problems),
                _ => throw new ArgumentException($"--format {chosen}: not a format"),
            };
            foreach (var problem in problems)
            {
                console.Warning(problem);
            }
            target.Commit();
            console.Line($"wrote {target.Target}: {written.Line}");
            written.Figures["format"] = chosen;
            written.Figures["output"] = target.Target;
            console.Summary(written.Figures);
            return 0;
        }));
        return command;
    }

    private static Written Robomimic(IReadOnlyList<TeleopEpisode> episodes, string staging, List<string> problems)
    {
        var summary = RobomimicExport.Write(episodes, staging);
        problems.AddRange(summary.Warnings);
        return new Written(
            $"robomimic HDF5, {summary.Demos} demos, {summary.Samples:N0} samples, {summary.ObsKeys} obs keys, mask/train {summary.Train} and mask/valid {summary.Valid} demos",
            new JsonObject
            {
                ["demos"] = summary.Demos,
                ["samples"] = summary.Samples,
                ["obs_keys"] = summary.ObsKeys,
                ["train_demos"] = summary.Train,
                ["valid_demos"] = summary.Valid,
                ["skipped_episodes"] = summary.Skipped,
            });
    }

    private static async Task<Written> LeRobotAsync(IReadOnlyList<TeleopEpisode> episodes, string staging)
    {
        var summary = await LeRobotExport.WriteAsync(episodes, staging);
        return new Written(
            $"LeRobot v3.0, {summary.Episodes} episodes, {summary.Frames:N0} frames at {summary.Fps} fps, {summary.DataFiles} data file(s)",
            new JsonObject
            {
                ["episodes"] = summary.Episodes,
                ["frames"] = summary.Frames,
                ["tasks"] = summary.Tasks,
                ["data_files"] = summary.DataFiles,
                ["fps"] = summary.Fps,
            });
    }

    private static async Task<Written> StepTableAsync(IReadOnlyList<string> logs, string staging, List<string> problems)
    {
        var summary = await StepTableExport.WriteAsync(logs, staging, problems);
        return new Written(
            $"Parquet step table, {summary.Episodes} episodes, {summary.Steps:N0} steps of {summary.Robots} robot(s) in {summary.Partitions} robot/day partition(s), {summary.DataFiles} data file(s)",
            new JsonObject
            {
                ["logs"] = summary.Logs,
                ["episodes"] = summary.Episodes,
                ["steps"] = summary.Steps,
                ["robots"] = summary.Robots,
                ["partitions"] = summary.Partitions,
                ["data_files"] = summary.DataFiles,
            });
    }
}
