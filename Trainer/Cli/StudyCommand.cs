using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
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
    /// <summary>What a study leaves when it is done: its report, its table, and its figures.</summary>
    private sealed record Finished(string Report, IReadOnlyList<string> Table, JsonObject Figures);

    public static Command Create() => new("study", "Run an experiment that shows what imitation learning does here, over several seeds, with a report (docs/learning.md).")
    {
        Multimodal(),
        ImperfectExpert(),
        Dagger(),
        HelpTriggers(),
    };

    private static Command Multimodal()
    {
        var defaults = new MultimodalSettings();
        var seeds = SeedsOption(defaults.Seeds);
        var demos = RangedOptions.Int(DemoSettings.DemonstrationRange, "Demonstrations per seed.", defaults.DemonstrationEpisodes);
        var evalEpisodes = EvaluationOption(defaults.EvaluationEpisodes);
        var components = RangedOptions.Int(TrainingRanges.MixtureComponents, "Components of the mixture.", defaults.Training.MixtureComponents);
        var output = OutputOption("study-multimodal");
        var json = CliCommand.JsonOption();
        var command = new Command("multimodal", $"Gaussian against Gaussian-mixture BC on {MultimodalSettings.Robot}, where the expert passes an obstacle on the left or the right at random.")
        {
            seeds, demos, evalEpisodes, components, output, json,
        };
        command.SetAction((parse, cancellation) => Run(parse, json, output, (folder, say, seconds) =>
        {
            var settings = defaults with
            {
                Seeds = parse.GetValue(seeds),
                DemonstrationEpisodes = parse.GetValue(demos),
                EvaluationEpisodes = parse.GetValue(evalEpisodes),
                Training = defaults.Training with { MixtureComponents = parse.GetValue(components) },
            };
            settings.Validate();
            var results = new MultimodalStudy(settings, folder, say).Run();
            return Task.FromResult(new Finished(MultimodalReport.Write(results, settings, folder, seconds()), MultimodalReport.Table(results), MultimodalReport.Json(results, settings)));
        }));
        return command;
    }

    private static Command ImperfectExpert()
    {
        var defaults = new ImperfectExpertSettings();
        var seeds = SeedsOption(defaults.Seeds);
        var demos = RangedOptions.Int(DemoSettings.DemonstrationRange, "The expert's demonstrations per seed.", defaults.GoodEpisodes);
        var careless = RangedOptions.Int(ImperfectExpertSettings.CarelessRange, "The careless operator's demonstrations per seed.", defaults.CarelessEpisodes);
        var evalEpisodes = EvaluationOption(defaults.EvaluationEpisodes);
        var output = OutputOption("study-imperfect-expert");
        var json = CliCommand.JsonOption();
        var command = new Command("imperfect-expert", $"Plain BC against BC that leaves out failed episodes or weights a careless operator down, on {ImperfectExpertSettings.Robot} with 30 % careless demonstrations.")
        {
            seeds, demos, careless, evalEpisodes, output, json,
        };
        command.SetAction((parse, cancellation) => Run(parse, json, output, (folder, say, seconds) =>
        {
            var settings = defaults with
            {
                Seeds = parse.GetValue(seeds),
                GoodEpisodes = parse.GetValue(demos),
                CarelessEpisodes = parse.GetValue(careless),
                EvaluationEpisodes = parse.GetValue(evalEpisodes),
            };
            settings.Validate();
            var results = new ImperfectExpertStudy(settings, folder, say).Run();
            return Task.FromResult(new Finished(ImperfectExpertReport.Write(results, settings, folder, seconds()), ImperfectExpertReport.Table(results), ImperfectExpertReport.Json(results, settings)));
        }));
        return command;
    }

    private static Command Dagger()
    {
        var defaults = new DaggerStudySettings();
        var seeds = SeedsOption(defaults.Seeds);
        var bcDemos = RangedOptions.IntList(DaggerStudySettings.DemonstrationsRange, "Plain BC's demonstration counts; DAgger starts from the first.", defaults.BcDemonstrations);
        var rounds = RangedOptions.Int(DemoSettings.RoundsRange, "DAgger rounds.", defaults.Rounds);
        var roundEpisodes = RangedOptions.Int(DemoSettings.RoundEpisodesRange, "Episodes per DAgger round.", defaults.RoundEpisodes);
        var evalEpisodes = EvaluationOption(defaults.EvaluationEpisodes);
        var output = OutputOption("study-dagger");
        var json = CliCommand.JsonOption();
        var command = new Command("dagger", $"DAgger against plain BC on more demonstrations, by expert-labelled steps, on {DaggerStudySettings.Robot}, where a cloned policy's small errors compound.")
        {
            seeds, bcDemos, rounds, roundEpisodes, evalEpisodes, output, json,
        };
        command.SetAction((parse, cancellation) => Run(parse, json, output, async (folder, say, seconds) =>
        {
            var settings = defaults with
            {
                Seeds = parse.GetValue(seeds),
                BcDemonstrations = parse.GetValue(bcDemos)!,
                Rounds = parse.GetValue(rounds),
                RoundEpisodes = parse.GetValue(roundEpisodes),
                EvaluationEpisodes = parse.GetValue(evalEpisodes),
            };
            settings.Validate();
            var results = await new DaggerStudy(settings, folder, say).RunAsync(cancellation);
            return new Finished(DaggerReport.Write(results, settings, folder, seconds()), DaggerReport.Table(results), DaggerReport.Json(results, settings));
        }));
        return command;
    }

    private static Command HelpTriggers()
    {
        var defaults = new HelpTriggerSettings();
        var seeds = SeedsOption(defaults.Seeds);
        var demos = RangedOptions.Int(DemoSettings.DemonstrationRange, "Demonstrations per seed.", defaults.DemonstrationEpisodes);
        var members = RangedOptions.Int(HelpTriggerSettings.MembersRange, "Networks in the ensemble.", defaults.EnsembleMembers);
        var evalEpisodes = EvaluationOption(defaults.EvaluationEpisodes);
        var output = OutputOption("study-help-triggers");
        var json = CliCommand.JsonOption();
        var command = new Command("help-triggers", $"How well help requests from σ, an ensemble's novelty and the distance from the training data foretell where the expert would step in, at the same request rate, on {HelpTriggerSettings.Robot}.")
        {
            seeds, demos, members, evalEpisodes, output, json,
        };
        command.SetAction((parse, cancellation) => Run(parse, json, output, (folder, say, seconds) =>
        {
            var settings = defaults with
            {
                Seeds = parse.GetValue(seeds),
                DemonstrationEpisodes = parse.GetValue(demos),
                EnsembleMembers = parse.GetValue(members),
                EvaluationEpisodes = parse.GetValue(evalEpisodes),
            };
            settings.Validate();
            var results = new HelpTriggerStudy(settings, folder, say).Run();
            return Task.FromResult(new Finished(HelpTriggerReport.Write(results, settings, folder, seconds()), HelpTriggerReport.Table(results, settings), HelpTriggerReport.Json(results, settings)));
        }));
        return command;
    }

    private static Option<int> SeedsOption(int seeds) =>
        RangedOptions.Int(MultimodalSettings.SeedsRange, "Seeds to repeat the study with (demonstrations, training and evaluation).", seeds);

    private static Option<int> EvaluationOption(int episodes) =>
        RangedOptions.Int(DemoSettings.EvaluationRange, "Evaluation episodes per policy and seed.", episodes);

    private static Option<string> OutputOption(string folder) =>
        new("--out") { Description = "The folder for logs, policies and the report (an earlier run's folder is replaced).", DefaultValueFactory = _ => folder };

    /// <summary>Makes the folder, runs the study, prints its table and where its report is, and its figures with --json.</summary>
    private static Task<int> Run(ParseResult parse, Option<bool> json, Option<string> output, Func<DemoFolder, Action<string>, Func<double>, Task<Finished>> study) =>
        TrainerCommand.RunAsync(parse, json, "running the study", async console =>
        {
            var clock = Stopwatch.StartNew();
            var folder = DemoFolder.Create(parse.GetValue(output)!, Study.SummaryFile);
            var finished = await study(folder, console.Line, () => clock.Elapsed.TotalSeconds);
            console.Line();
            foreach (string line in finished.Table)
            {
                console.Line(line);
            }
            console.Line();
            console.Line(string.Create(CultureInfo.InvariantCulture, $"report: {DemoFolder.FromWorkingDirectory(finished.Report)} ({clock.Elapsed.TotalSeconds:F0} s)"));
            console.Summary(finished.Figures);
            return 0;
        });
}
