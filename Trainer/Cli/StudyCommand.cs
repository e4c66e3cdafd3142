using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Robotics.Controller.CommandLine;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Studies;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Cli;

/// <summary>
/// <c>trainer study NAME</c>: the experiments behind docs/learning.md, each on a simulated task built to show one
/// effect, over several seeds, with a report.
/// </summary>
internal static class StudyCommand
{
    public static Command Create() => new("study", "Run an experiment that shows what imitation learning does here, over several seeds, with a report (docs/learning.md).")
    {
        Multimodal(),
    };

    private static Command Multimodal()
    {
        var defaults = new MultimodalSettings();
        var seeds = RangedOptions.Int(MultimodalSettings.SeedsRange, "Seeds to repeat the study with (demonstrations, training and evaluation).", defaults.Seeds);
        var demos = RangedOptions.Int(DemoSettings.DemonstrationRange, "Demonstrations per seed.", defaults.DemonstrationEpisodes);
        var evalEpisodes = RangedOptions.Int(DemoSettings.EvaluationRange, "Evaluation episodes per policy and seed.", defaults.EvaluationEpisodes);
        var components = RangedOptions.Int(TrainingRanges.MixtureComponents, "Components of the mixture.", defaults.Training.MixtureComponents);
        var output = new Option<string>("--out") { Description = "The folder for logs, policies and the report (an earlier run's folder is replaced).", DefaultValueFactory = _ => "study-multimodal" };
        var json = CliCommand.JsonOption();
        var command = new Command("multimodal", $"Gaussian against Gaussian-mixture BC on {MultimodalSettings.Robot}, where the expert passes an obstacle on the left or the right at random.")
        {
            seeds, demos, evalEpisodes, components, output, json,
        };
        command.SetAction(parse => TrainerCommand.Run(parse, json, "running the study", console =>
        {
            var settings = defaults with
            {
                Seeds = parse.GetValue(seeds),
                DemonstrationEpisodes = parse.GetValue(demos),
                EvaluationEpisodes = parse.GetValue(evalEpisodes),
                Training = defaults.Training with { MixtureComponents = parse.GetValue(components) },
            };
            settings.Validate();
            var clock = Stopwatch.StartNew();
            var folder = DemoFolder.Create(parse.GetValue(output)!, MultimodalReport.SummaryFile);
            var results = new MultimodalStudy(settings, folder, console.Line).Run();
            string report = MultimodalReport.Write(results, settings, folder, clock.Elapsed.TotalSeconds);
            console.Line();
            foreach (string line in MultimodalReport.Table(results))
            {
                console.Line(line);
            }
            console.Line();
            console.Line(string.Create(CultureInfo.InvariantCulture, $"report: {DemoFolder.FromWorkingDirectory(report)} ({clock.Elapsed.TotalSeconds:F0} s)"));
            console.Summary(MultimodalReport.Json(results, settings));
            return 0;
        }));
        return command;
    }
}
