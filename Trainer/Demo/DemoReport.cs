using System.Globalization;
using System.Text;
using Robotics.Hardware.Simulation;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Demo;

/// <summary>
/// Writes the demo's report: report.md with the table and what it shows, and the charts beside it —
/// success per round against the expert, the training curves of every policy, and a few evaluation
/// episodes of the expert, plain BC and the last DAgger policy on the same start states.
/// </summary>
public static class DemoReport
{
    private const int Trajectories = 3;

    /// <returns>The report's path.</returns>
    public static string Write(DemoOutcome outcome, DemoFolder folder)
    {
        File.WriteAllText(folder.File("success.svg"), SuccessChart(outcome));
        File.WriteAllText(folder.File("training.svg"), TrainingChart(outcome));
        var shown = EpisodesToShow(outcome);
        foreach (int episode in shown)
        {
            File.WriteAllText(folder.File($"episode-{episode + 1}.svg"), TrajectoryChart(outcome, episode));
        }
        string path = folder.File("report.md");
        File.WriteAllText(path, Markdown(outcome, folder, shown));
        return path;
    }

    /// <summary>Evaluation episodes plain BC failed and the expert did not, the interesting ones; the first ones if there are too few.</summary>
    private static List<int> EpisodesToShow(DemoOutcome outcome)
    {
        var all = Enumerable.Range(0, outcome.Expert.Episodes.Count).ToList();
        var bcFailed = all.Where(i => outcome.Expert.Episodes[i].Succeeded && !outcome.BcEvaluation.Episodes[i].Succeeded);
        return [.. bcFailed.Concat(all).Distinct().Take(Trajectories).Order()];
    }

    private static string SuccessChart(DemoOutcome outcome)
    {
        var policy = new List<(double, double)> { (0, outcome.BcEvaluation.SuccessRate) };
        policy.AddRange(outcome.Rounds.Select(r => ((double)r.Round, r.Evaluation.SuccessRate)));
        int last = Math.Max(1, outcome.Rounds.Count);
        var series = new List<ChartSeries>
        {
            new("policy", LineChart.Palette[0], policy),
            new("expert", LineChart.Palette[1], [(0, outcome.Expert.SuccessRate), (last, outcome.Expert.SuccessRate)], Dashed: true),
        };
        if (outcome.EqualDataBc is { } control)
        {
            series.Add(new("BC on as much data", LineChart.Palette[3], [(last, control.Evaluation.SuccessRate)]));
        }
        return LineChart.Svg($"{outcome.Settings.Robot}: success on unseen episodes", "DAgger round (0: plain BC)", "success rate", series, yRange: (0, 1), integerX: true);
    }

    private static string TrainingChart(DemoOutcome outcome)
    {
        var policies = new[] { outcome.Bc }.Concat(outcome.Rounds.Select(r => r.Retrained)).ToList();
        // Every training of a demo keeps its epoch by the same score: the one plotted.
        var score = outcome.Bc.Score;
        var series = policies.Select((p, i) => new ChartSeries(
            $"policy-{i} ({p.DatasetSteps} steps)", LineChart.Palette[i % LineChart.Palette.Count],
            [.. p.Result.History.Select(m => ((double)m.Epoch, score.Of(m)))])).ToList();
        return LineChart.Svg($"{score.Name}, per training", "epoch", score.Axis, series, integerX: true);
    }

    private static string TrajectoryChart(DemoOutcome outcome, int episode)
    {
        static List<(double, double)> Trace(float[] trace, double rate) => [.. trace.Select((e, t) => (t / rate, (double)e))];
        // Every stage runs the simulator at its default rate: the teleop log's, hence the policies'.
        double rate = Simulators.DefaultRate(outcome.Settings.Robot);
        var drivers = new List<ChartSeries>
        {
            new("expert", LineChart.Palette[1], Trace(outcome.Expert.Episodes[episode].GoalErrorTrace, rate), Dashed: true),
            new("BC (policy-0)", LineChart.Palette[0], Trace(outcome.BcEvaluation.Episodes[episode].GoalErrorTrace, rate)),
        };
        if (outcome.Rounds.Count > 0)
        {
            drivers.Add(new($"DAgger (policy-{outcome.Rounds.Count})", LineChart.Palette[2], Trace(outcome.Final.Episodes[episode].GoalErrorTrace, rate)));
        }
        string Outcome(EvaluationResult result) => result.Episodes[episode].Succeeded ? "success" : "failure";
        string title = $"evaluation episode {episode + 1}: expert {Outcome(outcome.Expert)}, BC {Outcome(outcome.BcEvaluation)}" +
            (outcome.Rounds.Count > 0 ? $", DAgger {Outcome(outcome.Final)}" : "");
        return LineChart.Svg(title, "seconds", outcome.Expert.GoalErrorName, drivers);
    }

    private static string Markdown(DemoOutcome outcome, DemoFolder folder, IReadOnlyList<int> trajectories)
    {
        var s = outcome.Settings;
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Record → train → deploy → DAgger on {s.Robot}");
        md.AppendLine();
        md.AppendLine(c, $"Seed {s.Seed}; {outcome.Seconds:F0} s in all. The expert is the simulator's scripted controller; every stage ran the controller runtime, the trainer and (for DAgger) the gRPC override stream on loopback.");
        md.AppendLine();
        md.AppendLine(c, $"- Teleop recording: {s.DemonstrationEpisodes} episodes, {outcome.Teleop.ExpertSteps} steps ([{folder.Relative(outcome.Teleop.LogPath)}]({folder.Relative(outcome.Teleop.LogPath)})).");
        md.AppendLine(c, $"- Plain BC: policy-0 trained on them ([training curves]({folder.Relative(outcome.Bc.Folder.Path)}/curves.svg)).");
        md.AppendLine(c, $"- Evaluation: {s.EvaluationEpisodes} episodes drawn with seed {s.Seed + 1}, the same for every driver, none of them in any training data.");
        md.AppendLine(c, $"- DAgger: {s.Rounds} rounds of {s.RoundEpisodes} episodes at {s.TimeScale(Simulators.DefaultRate(s.Robot)):G3}× real time; the expert takes over when the robot falls behind its plan (further from the goal than planned by more than {s.Gate.DriftThreshold:G3}× the task's tolerance) or asks for help, and hands back when the policy agrees with it on {s.Gate.AgreementShare:P0} of {s.Gate.AgreementTicks} ticks. Its ticks are recorded as overrides and added to the data; each round retrains on everything so far.");
        md.AppendLine();
        foreach (string line in DemoSummary.Table(outcome))
        {
            md.AppendLine(line);
        }
        md.AppendLine();
        if (outcome.Rounds.Count > 0)
        {
            md.AppendLine("Interventions and help requests are counted in each DAgger round's own episodes, where the policy drove with the expert watching; success and final error are each driver's own, on the evaluation episodes, with no one stepping in.");
            md.AppendLine();
        }
        md.AppendLine(c, $"On the same episodes the expert succeeds in {outcome.Expert.SuccessRate:P0} and plain BC in {outcome.BcEvaluation.SuccessRate:P0}: its small errors take it to states no demonstration visited, where it errs more. After {s.Rounds} DAgger rounds the policy succeeds in {outcome.Final.SuccessRate:P0}: {GapClosed(outcome)}");
        if (outcome.EqualDataBc is { } control)
        {
            md.AppendLine();
            md.AppendLine(c, $"The control: plain BC on {control.Episodes} demonstrations, {control.Policy.DatasetSteps} expert steps, as many as the last DAgger policy learned from ({outcome.Rounds[^1].Retrained.DatasetSteps}), succeeds in {control.Evaluation.SuccessRate:P0}. {ControlVerdict(outcome.Final.SuccessRate - control.Evaluation.SuccessRate)}");
        }
        md.AppendLine();
        md.AppendLine("![success per round](success.svg)");
        md.AppendLine();
        md.AppendLine("![training curves](training.svg)");
        md.AppendLine();
        md.AppendLine(c, $"Goal error over time in a few evaluation episodes (numbered among the {s.EvaluationEpisodes}), each from the same start and goal for every driver, chosen where plain BC failed and the expert did not:");
        md.AppendLine();
        foreach (int episode in trajectories)
        {
            md.AppendLine(c, $"![evaluation episode {episode + 1}](episode-{episode + 1}.svg)");
            md.AppendLine();
        }
        md.AppendLine("## Looking again");
        md.AppendLine();
        md.AppendLine("From the directory the demo ran in (the repository's root for README's command):");
        md.AppendLine();
        string lastPolicy = DemoFolder.FromWorkingDirectory(outcome.Rounds.Count == 0 ? outcome.Bc.PolicyPath : outcome.Rounds[^1].Retrained.PolicyPath);
        md.AppendLine(c, $"- `dotnet run --project Trainer -- eval --policy {lastPolicy} --robot {s.Robot} --seed {s.Seed + 1} --episodes {s.EvaluationEpisodes}` deploys a policy again on the same {s.EvaluationEpisodes} evaluation episodes and prints the success rate and final error of its row in the table; any policy in [policies/](policies) works, and `--expert` instead of `--policy FILE` gives the expert's row.");
        md.AppendLine(c, $"- `dotnet run --project Trainer -- log info {DemoFolder.FromWorkingDirectory(outcome.Teleop.LogPath)}` summarizes a recording: episodes and their outcomes, steps, and who drove each step (teleop for the expert's demonstrations, policy, override for the expert's DAgger corrections). [data/](data) holds what the policies learned from, [evaluation/](evaluation) the evaluation episodes of each driver.");
        md.AppendLine(c, $"- `dotnet run --project Trainer -- inspect {lastPolicy}` shows what a policy file holds: its inputs and outputs, the robot, the normalization and the training settings.");
        md.AppendLine("- Each policy's training is in the folder beside it (policies/policy-N.run): metrics.csv with one row per epoch, and curves.svg with a line at the epoch kept.");
        return md.ToString();
    }

    /// <summary>
    /// What DAgger's lead over the control says. Trained on a few thousand steps, one policy differs from the
    /// next by about ten points of success (docs/demo.md): a smaller lead is no evidence either way.
    /// </summary>
    private static string ControlVerdict(double daggerLead) => daggerLead switch
    {
        > Spread => "DAgger's steps are worth more: they come from the states the policy itself reaches.",
        < -Spread => "Here more demonstrations did better than the corrections.",
        _ => "Within the ten points one training differs from the next by, more demonstrations did about as well as the corrections.",
    };

    private const double Spread = 0.1;

    private static string GapClosed(DemoOutcome outcome)
    {
        double gap = outcome.Expert.SuccessRate - outcome.BcEvaluation.SuccessRate;
        if (gap <= 0)
        {
            return "plain BC already matched the expert here, so there was no gap to close.";
        }
        double closed = (outcome.Final.SuccessRate - outcome.BcEvaluation.SuccessRate) / gap;
        return string.Create(CultureInfo.InvariantCulture, $"{closed:P0} of the gap to the expert closed.");
    }
}
