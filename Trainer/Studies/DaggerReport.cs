using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Evaluation;
using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Studies;

/// <summary>The DAgger study's table, its success-against-labelled-steps plot, and its figures as JSON.</summary>
public static class DaggerReport
{
    /// <summary>"Reaches the same success": within this of it, a few episodes of the 100.</summary>
    private const double SameSuccess = 0.03;

    /// <summary>The share of the gap from plain BC on DAgger's starting demonstrations to the expert that DAgger's last policy closed.</summary>
    public static double GapClosed(DaggerSeed seed)
    {
        double start = seed.Dagger[0].Evaluation.SuccessRate;
        double gap = seed.Expert.SuccessRate - start;
        return gap <= 0 ? 1 : (seed.Dagger[^1].Evaluation.SuccessRate - start) / gap;
    }

    /// <summary>The fewest labelled steps with which plain BC did as well as DAgger's last policy; null when no BC size did.</summary>
    public static long? BcStepsToMatch(DaggerSeed seed) =>
        seed.Bc.Where(p => p.Evaluation.SuccessRate >= seed.Dagger[^1].Evaluation.SuccessRate - SameSuccess).Select(p => (long?)p.LabelledSteps).Min();

    public static IReadOnlyList<string> Table(IReadOnlyList<DaggerSeed> seeds)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "| seed | policy | expert-labelled steps | takeovers | success |",
            "|---|---|---:|---:|---:|",
        };
        foreach (var seed in seeds)
        {
            lines.Add(string.Create(c, $"| {seed.Seed} | expert | — | — | {100 * seed.Expert.SuccessRate:F0} % |"));
            foreach (var point in seed.Bc.Concat(seed.Dagger))
            {
                lines.Add(string.Create(c, $"| {seed.Seed} | {point.Label} | {point.LabelledSteps} | {(point.Round < 0 ? "—" : point.Takeovers.ToString(c))} | {100 * point.Evaluation.SuccessRate:F0} % |"));
            }
        }
        return lines;
    }

    public static JsonObject Json(IReadOnlyList<DaggerSeed> seeds, DaggerStudySettings settings)
    {
        JsonArray Points(IEnumerable<LabelledPoint> points) => new([.. points.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Name,
            ["label"] = p.Label,
            ["round"] = p.Round < 0 ? null : p.Round,
            ["labelled_steps"] = p.LabelledSteps,
            ["takeovers"] = p.Takeovers,
            ["success"] = p.Evaluation.SuccessRate,
        })]);
        return new JsonObject
        {
            ["study"] = "dagger",
            ["robot"] = DaggerStudySettings.Robot,
            ["seeds"] = seeds.Count,
            ["evaluation_episodes"] = settings.EvaluationEpisodes,
            ["expert_success"] = new SeedSpread([.. seeds.Select(s => s.Expert.SuccessRate)]).ToJson(),
            ["dagger_final_success"] = new SeedSpread([.. seeds.Select(s => s.Dagger[^1].Evaluation.SuccessRate)]).ToJson(),
            ["dagger_gap_closed"] = new SeedSpread([.. seeds.Select(GapClosed)]).ToJson(),
            ["per_seed"] = new JsonArray([.. seeds.Select(s => (JsonNode)new JsonObject
            {
                ["seed"] = s.Seed,
                ["expert_success"] = s.Expert.SuccessRate,
                ["bc"] = Points(s.Bc),
                ["dagger"] = Points(s.Dagger),
                ["dagger_gap_closed"] = GapClosed(s),
                ["bc_steps_to_match_dagger"] = BcStepsToMatch(s),
            })]),
        };
    }

    /// <summary>Writes report.md, success.svg and study.json (last); returns the report's path.</summary>
    public static string Write(IReadOnlyList<DaggerSeed> seeds, DaggerStudySettings settings, DemoFolder folder, double seconds)
    {
        File.WriteAllText(folder.File("success.svg"), Chart(seeds));
        var c = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        report.AppendLine("# DAgger against more demonstrations, by the expert's labelled steps");
        report.AppendLine();
        report.AppendLine(string.Create(c,
            $"On `{DaggerStudySettings.Robot}` the expert keeps a vehicle on the centre line of a winding road, so its demonstrations show no state off it. " +
            $"Per seed, plain BC trained on {string.Join(", ", settings.BcDemonstrations)} demonstrations; HG-DAgger started from {settings.DaggerDemonstrations} and ran {settings.Rounds} rounds of {settings.RoundEpisodes} episodes in which the expert watched over gRPC and took over. " +
            $"Every policy drove the same {settings.EvaluationEpisodes} unseen episodes. The expert's effort is counted in the steps it labelled: every step of a demonstration, and every step it drove in a takeover."));
        report.AppendLine();
        report.AppendLine("![success against expert-labelled steps](success.svg)");
        report.AppendLine();
        foreach (string line in Table(seeds))
        {
            report.AppendLine(line);
        }
        report.AppendLine();
        foreach (var seed in seeds)
        {
            long? match = BcStepsToMatch(seed);
            string bc = match is long steps
                ? string.Create(c, $"plain BC did as well with {steps}.")
                : string.Create(c, $"plain BC did not do as well with up to {seed.Bc.Max(p => p.LabelledSteps)}.");
            report.AppendLine(string.Create(c, $"- Seed {seed.Seed}: DAgger closed {100 * GapClosed(seed):F0} % of the gap from plain BC to the expert in {settings.Rounds} rounds with {seed.Dagger[^1].LabelledSteps} labelled steps; {bc}"));
        }
        report.AppendLine();
        return Study.Finish(folder, report, Json(seeds, settings), seconds);
    }

    /// <summary>Success against labelled steps: a line per seed for plain BC and for DAgger, and the expert's mean dashed.</summary>
    private static string Chart(IReadOnlyList<DaggerSeed> seeds)
    {
        static IReadOnlyList<(double, double)> Curve(IEnumerable<LabelledPoint> points) => [.. points.Select(p => ((double)p.LabelledSteps, p.Evaluation.SuccessRate))];
        var series = new List<ChartSeries>();
        foreach (var seed in seeds)
        {
            series.Add(new ChartSeries($"plain BC, seed {seed.Seed}", LineChart.Palette[0], Curve(seed.Bc)));
            series.Add(new ChartSeries($"DAgger, seed {seed.Seed}", LineChart.Palette[1], Curve(seed.Dagger)));
        }
        double most = seeds.SelectMany(s => s.Bc.Concat(s.Dagger)).Max(p => p.LabelledSteps);
        double expert = seeds.Average(s => s.Expert.SuccessRate);
        series.Add(new ChartSeries("expert", LineChart.Palette[2], [(0, expert), (most, expert)], Dashed: true));
        return LineChart.Svg($"Success on {DaggerStudySettings.Robot} against the expert's labelled steps", "expert-labelled steps", "success rate", series, yRange: (0, 1));
    }
}
