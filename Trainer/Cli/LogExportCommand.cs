using System.CommandLine;
using System.Text.Json.Nodes;
using Robotics.Controller.CommandLine;
using Robotics.Trainer.Datasets.Export;

namespace Robotics.Trainer.Cli;

/// <summary><c>trainer log export LOGS... OUT --format lerobot</c>: teleop logs as a dataset other tools load.</summary>
internal static class LogExportCommand
{
    public static Command Create()
    {
        // One argument list, OUT last: System.CommandLine gives a list argument every token, leaving none for a second argument.
        var paths = new Argument<string[]>("logs-then-out")
        {
            Description = "Teleop logs (.mcap) or directories searched recursively for them, then OUT: the dataset folder to write (an existing one that is not empty is refused unless --force).",
            Arity = new ArgumentArity(2, ArgumentArity.OneOrMore.MaximumNumberOfValues),
        };
        var format = new Option<string>("--format") { Description = "lerobot: a LeRobot v3.0 dataset folder (every step a frame, with its source and intervention).", Required = true };
        PlainOptions.OneOf(format, "lerobot");
        var force = new Option<bool>("--force") { Description = "Replace OUT if it exists." };
        var json = CliCommand.JsonOption();
        var command = new Command("export", "Write teleop logs as a dataset: written whole into a sibling of OUT, then moved into place.") { paths, format, force, json };
        command.SetAction(parse => CliCommand.RunAsync(parse, json, async console =>
        {
            var given = parse.GetValue(paths)!;
            var files = ExportedLogs.Find(given[..^1]);
            var problems = new List<string>();
            var episodes = ExportedLogs.ReadAll(files, problems);
            foreach (var problem in problems)
            {
                console.Warning(problem);
            }
            using var target = ExportOutput.Begin(given[^1], parse.GetValue(force), directory: true);
            var summary = await LeRobotExport.WriteAsync(episodes, target.Staging);
            target.Commit();
            console.Line($"wrote {target.Target}: LeRobot v3.0, {summary.Episodes} episodes, {summary.Frames:N0} frames at {summary.Fps} fps, {summary.DataFiles} data file(s)");
            console.Summary(new JsonObject
            {
                ["format"] = "lerobot",
                ["output"] = target.Target,
                ["episodes"] = summary.Episodes,
                ["frames"] = summary.Frames,
                ["tasks"] = summary.Tasks,
                ["data_files"] = summary.DataFiles,
                ["fps"] = summary.Fps,
            });
            return 0;
        }));
        return command;
    }
}
