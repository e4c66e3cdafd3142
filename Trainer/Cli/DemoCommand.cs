using System.CommandLine;
using System.Globalization;
using Robotics.Hardware.Simulation;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;
using Robotics.Controller.CommandLine;
using Spectre.Console;

namespace Robotics.Trainer.Cli;

/// <summary><c>trainer demo</c>: the whole job on a simulator, with a report.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var defaults = new DemoSettings();
        var robot = new Option<string>("--robot") { Description = $"The simulator: {Simulators.Listed}.", DefaultValueFactory = _ => defaults.Robot };
        robot.AcceptOnlyFromAmong([.. Simulators.Names.Select(n => Simulators.Prefix + n)]);
        var kind = new Option<string?>("--kind") { Description = $"The policy head ({string.Join(", ", PolicyHeads.Names)}); by default what the robot's actions imply (sim:cartpole: categorical)." };
        kind.AcceptOnlyFromAmong([.. PolicyHeads.Names]);
        var quick = new Option<bool>("--quick") { Description = "A smaller run that shows the same: fewer evaluation episodes, DAgger rounds and training steps (docs/demo.md gives the sizes and how long each run took)." };
        var seed = RangedOptions.Int(TrainingRanges.Seed, "Seed for every stage: the same seed gives the same recording, training and evaluation.", 0);
        var demos = RangedOptions.OptionalInt(DemoSettings.DemonstrationRange, "Teleop episodes to learn from (default: 20 for sim:reach, 3 for sim:cartpole).");
        var rounds = RangedOptions.OptionalInt(DemoSettings.RoundsRange, "DAgger rounds (default: 4 for sim:reach, 3 for sim:cartpole, 2 with --quick).");
        var roundEpisodes = RangedOptions.OptionalInt(DemoSettings.RoundEpisodesRange, "Episodes per DAgger round (default: 20 for sim:reach, 10 for sim:cartpole; fewer with --quick).");
        var evalEpisodes = RangedOptions.OptionalInt(DemoSettings.EvaluationRange, "Evaluation episodes per policy (default 100, 50 with --quick).");
        var output = new Option<string>("--out") { Description = "The folder for logs, policies and the report (an earlier demo's folder is replaced).", DefaultValueFactory = _ => "demo" };
        var json = CliCommand.JsonOption();
        var command = new Command("demo", "Record a simulated expert, train a BC policy, deploy it against the expert on unseen episodes, run DAgger rounds with the expert as a remote operator over gRPC, and write a report.")
        {
            robot, kind, quick, seed, demos, rounds, roundEpisodes, evalEpisodes, output, json,
        };
        command.SetAction((parse, cancellation) => TrainerCommand.RunAsync(parse, json, "running the demo", async console =>
        {
            var settings = DemoSettings.For(parse.GetValue(robot)!, parse.GetValue(quick));
            settings = settings with
            {
                Kind = PolicyHeads.Named(parse.GetValue(kind)),
                Seed = parse.GetValue(seed),
                DemonstrationEpisodes = parse.GetValue(demos) ?? settings.DemonstrationEpisodes,
                Rounds = parse.GetValue(rounds) ?? settings.Rounds,
                RoundEpisodes = parse.GetValue(roundEpisodes) ?? settings.RoundEpisodes,
                EvaluationEpisodes = parse.GetValue(evalEpisodes) ?? settings.EvaluationEpisodes,
            };
            settings.Validate();
            var folder = DemoFolder.Create(parse.GetValue(output)!);
            var terminal = TrainingProgressDisplay.IsLive(console) ? AnsiConsole.Console : null;
            var outcome = await new DemoPipeline(settings, folder, console.Line, (score, train) => TrainingProgressDisplay.RunAsStage(terminal, score, train)).RunAsync(cancellation);
            string report = DemoReport.Write(outcome, folder);
            var summary = DemoSummary.Json(outcome, folder.Path);
            File.WriteAllText(folder.File(DemoFolder.SummaryFile), summary.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

            console.Line();
            foreach (string line in DemoSummary.Table(outcome))
            {
                console.Line(line);
            }
            console.Line();
            console.Line(string.Create(CultureInfo.InvariantCulture, $"report: {report} ({outcome.Seconds:F0} s)"));
            console.Summary(summary);
            return 0;
        }));
        return command;
    }
}
