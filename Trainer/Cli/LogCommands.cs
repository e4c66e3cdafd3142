using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Policy;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;
using Robotics.Trainer.Datasets;
using Robotics.Trainer.Logs;
using Robotics.Controller.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary><c>trainer log</c>: inspect and rescue teleop logs.</summary>
internal static class LogCommands
{
    public static Command Create() => new("log", "Inspect and rescue teleop logs (MCAP files).")
    {
        Info(),
        Recover(),
        LogExportCommand.Create(),
    };

    private static Command Info()
    {
        var path = new Argument<string>("path") { Description = "A teleop log (.mcap), a directory searched recursively for them, a LeRobot dataset folder, a robomimic HDF5 file, or a step table (`log export --format parquet`) or one robot's folder in it." };
        var json = CliCommand.JsonOption();
        var command = new Command("info", "Print the robot with its observation and action names, episodes, steps, duration, achieved rate, steps per action source, expert steps per operator and dropped steps.") { path, json };
        command.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            if (DemonstrationLoader.IsDataset(parse.GetValue(path)!))
            {
                return DatasetInfo(console, parse.GetValue(path)!);
            }
            var files = TeleopLogReader.FindLogs(parse.GetValue(path)!);
            if (files.Count == 0)
            {
                throw new FileNotFoundException($"{parse.GetValue(path)}: no .mcap files in this directory");
            }
            // A diagnostic tool reads what a cut recording holds and says it was cut, rather than refusing it.
            var options = new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation };
            var logs = files.Select(file => TeleopLogReader.Read(file, options)).ToList();
            foreach (var log in logs)
            {
                if (files.Count > 1)
                {
                    PrintSummary(console, log.Path, LogSummary.Of([log]));
                }
                foreach (var issue in log.Issues)
                {
                    console.Warning($"{log.Path}: {issue}");
                }
                var refused = log.Episodes.Select(e => (e.Id, Problem: EpisodeRules.Problem(e.Start))).Where(e => e.Problem is not null).ToList();
                if (refused.Count > 0)
                {
                    console.Warning($"{log.Path}: `trainer train` refuses {refused.Count} of its {log.Episodes.Count} episodes; the first, episode {refused[0].Id}: {refused[0].Problem}");
                }
                if (!log.WasClosed)
                {
                    console.Warning($"{log.Path} was not closed (the recording was cut): figures cover its complete chunks; `trainer log recover {log.Path}` writes a closed copy");
                }
            }
            var total = LogSummary.Of(logs);
            PrintSummary(console, files.Count > 1 ? $"total of {files.Count} files" : files[0], total);
            console.Summary(ToJson(total));
            return 0;
        }));
        return command;
    }

    /// <summary>A LeRobot folder or a robomimic file described as a log is, read as <c>trainer train</c> reads it.</summary>
    private static int DatasetInfo(CommandOutput console, string path)
    {
        var warnings = new List<string>();
        var summary = LogSummary.OfDataset(path, DemonstrationLoader.DatasetEpisodes(path, warnings));
        foreach (var warning in warnings)
        {
            console.Warning(warning);
        }
        var (format, described) = RobomimicFile.IsFile(path) ? ("robomimic", "robomimic HDF5 file")
            : LeRobotDataset.IsDataset(path) ? ("lerobot", "LeRobot dataset")
            : ("parquet", "Parquet step table");
        PrintSummary(console, $"{path} ({described})", summary);
        var json = ToJson(summary);
        json["format"] = format;
        console.Summary(json);
        return 0;
    }

    private static Command Recover()
    {
        var file = new Argument<string>("file") { Description = "The cut or damaged teleop log." };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the rescued log (default: FILE with .recovered.mcap); an existing file is refused unless --force." };
        var force = new Option<bool>("--force") { Description = "Replace the output file if it exists." };
        var json = CliCommand.JsonOption();
        var command = new Command("recover", "Write a closed, indexed copy of a cut or damaged log: every chunk that passes its CRC is kept, channels are checked against the teleop log's own, the rest is reported.") { file, output, force, json };
        command.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            string input = parse.GetValue(file)!;
            if (!File.Exists(input))
            {
                throw new FileNotFoundException($"{input}: no such file", input);
            }
            string target = parse.GetValue(output) ?? Path.ChangeExtension(input, null) + ".recovered.mcap";
            var report = McapRecovery.Recover(input, target, new McapRecoveryOptions
            {
                Overwrite = parse.GetValue(force),
                KnownChannels = TeleopTopics.KnownChannels,
                MetadataProblem = TeleopTopics.MetadataProblem,
            });
            foreach (var issue in report.Issues)
            {
                console.Warning($"{input}: {issue}");
            }
            var recovered = TeleopLogReader.Read(target);
            var summary = LogSummary.Of([recovered]);
            console.Line($"{input}: {(report.InputWasClosed ? "was closed" : "was not closed")}; {report.ValidLength:N0} of {report.InputLength:N0} bytes readable");
            console.Line($"wrote {target}: {report.Messages:N0} messages, {summary.Episodes} episodes ({summary.Outcomes["incomplete"]} without an end), {summary.Steps:N0} steps");
            var result = new JsonObject
            {
                ["input"] = input,
                ["output"] = target,
                ["input_was_closed"] = report.InputWasClosed,
                ["input_bytes"] = report.InputLength,
                ["valid_bytes"] = report.ValidLength,
                ["messages"] = report.Messages,
                ["episodes"] = summary.Episodes,
                ["steps"] = summary.Steps,
                ["issues"] = new JsonArray([.. report.Issues.Select(i => (JsonNode)i.ToString())]),
            };
            console.Summary(result);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// A paced loop never ticks faster than its rate, so a log that did (by half as much again, beyond any clock's
    /// jitter) came from a simulator run back to back, whose achieved rate says nothing about a robot.
    /// </summary>
    private static bool FasterThanRealTime(double achievedHz, IReadOnlyCollection<double> nominalRatesHz) =>
        nominalRatesHz.Count > 0 && achievedHz > 1.5 * nominalRatesHz.Max();

    private static void PrintSummary(CommandOutput console, string title, LogSummary summary)
    {
        var culture = CultureInfo.InvariantCulture;
        string rates = string.Join(", ", summary.NominalRatesHz.Select(r => r.ToString("0.##", culture)));
        console.Line(title);
        PrintRobots(console, summary.Robots);
        console.Line(string.Create(culture, $"  episodes  {summary.Episodes} (success {summary.Outcomes["success"]}, failure {summary.Outcomes["failure"]}, aborted {summary.Outcomes["aborted"]}, incomplete {summary.Outcomes["incomplete"]}{(summary.Outcomes["unspecified"] > 0 ? $", no outcome recorded {summary.Outcomes["unspecified"]}" : "")})"));
        console.Line(summary.AchievedRateHz is double achieved
            ? string.Create(culture, $"  steps     {summary.Steps} over {summary.DurationSeconds:F1} s; ") + (FasterThanRealTime(achieved, summary.NominalRatesHz)
                ? $"recorded faster than real time (an unpaced simulator), as at its nominal {rates} Hz"
                : string.Create(culture, $"achieved {achieved:F1} Hz (nominal {rates} Hz)"))
            : $"  steps     {summary.Steps}; rate: none recorded ({summary.Steps} tick{(summary.Steps == 1 ? "" : "s")}{(rates.Length == 0 ? "" : $"; nominal {rates} Hz")})");
        console.Line("  sources   " + string.Join(", ", summary.StepsPerSource.Where(p => p.Value > 0 || p.Key != "unspecified").Select(p => $"{p.Key} {p.Value}")));
        console.Line(summary.ExpertStepsPerOperator.Count == 0
            ? "  operators no expert steps"
            : "  operators " + string.Join(", ", summary.ExpertStepsPerOperator.Select(p => $"{Printable.Line(LogSummary.OperatorName(p.Key))} {p.Value}")) + " (expert steps)");
        console.Line(string.Create(culture, $"  dropped   {summary.DroppedSteps} steps, {summary.DroppedEvents} episode records{(summary.OrphanSteps > 0 ? $"; {summary.OrphanSteps} steps without their episode's start" : "")}"));
    }

    /// <summary>The robot and its vectors' names and units, so a user can tell which robot and which channels a log holds.</summary>
    private static void PrintRobots(CommandOutput console, IReadOnlyList<RecordedRobot> robots)
    {
        if (robots.Count == 0)
        {
            console.Line("  robot     not recorded (no episode start in the log)");
        }
        foreach (var robot in robots)
        {
            if (robot.Observations.Count == 0)
            {
                console.Line($"  robot     {Printable.Line(robot.Name)} (no episode recorded, so no observation or action names)");
                continue;
            }
            console.Line($"  robot     {Printable.Line(robot.Name)}");
            console.Line($"  observes  {Signals(robot.Observations)}");
            console.Line(robot.DiscreteActions.Count > 0
                ? $"  acts      one of {string.Join(", ", robot.DiscreteActions.Select(name => Printable.Line(name)))}"
                : $"  acts      {Signals(robot.Actions)}");
        }
    }

    private static string Signals(IReadOnlyList<SignalInfo> signals) =>
        string.Join(", ", signals.Select(s => s.Unit.Length > 0 ? $"{Printable.Line(s.Name)} ({Printable.Line(s.Unit)})" : Printable.Line(s.Name)));

    private static JsonObject ToJson(LogSummary summary) => new()
    {
        ["files"] = new JsonArray([.. summary.Files.Select(f => (JsonNode)f)]),
        ["robots"] = new JsonArray([.. summary.Robots.Select(robot => (JsonNode)new JsonObject
        {
            ["name"] = robot.Name,
            ["observations"] = SignalsJson(robot.Observations),
            ["actions"] = SignalsJson(robot.Actions),
            ["discrete_actions"] = new JsonArray([.. robot.DiscreteActions.Select(name => (JsonNode)name)]),
        })]),
        ["episodes"] = summary.Episodes,
        ["outcomes"] = new JsonObject([.. summary.Outcomes.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        ["steps"] = summary.Steps,
        ["duration_s"] = Finite(summary.DurationSeconds),
        ["achieved_rate_hz"] = summary.AchievedRateHz is double achieved ? Finite(achieved) : null,
        ["nominal_rates_hz"] = new JsonArray([.. summary.NominalRatesHz.Select(r => Finite(r))]),
        ["steps_per_source"] = new JsonObject([.. summary.StepsPerSource.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        ["expert_steps_per_operator"] = new JsonObject([.. summary.ExpertStepsPerOperator.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        ["dropped_steps"] = summary.DroppedSteps,
        ["dropped_events"] = summary.DroppedEvents,
        ["orphan_steps"] = summary.OrphanSteps,
        ["unclosed_files"] = summary.UnclosedFiles,
    };

    private static JsonArray SignalsJson(IReadOnlyList<SignalInfo> signals) =>
        new([.. signals.Select(s => (JsonNode)new JsonObject { ["name"] = s.Name, ["unit"] = s.Unit })]);

    /// <summary>JSON has no NaN or infinity: a figure a damaged log makes non-finite is written as null.</summary>
    private static JsonValue? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
