using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Studies;

/// <summary>The multimodal study's table, its figures as JSON, and plots of the paths each policy took.</summary>
public static class MultimodalReport
{
    /// <summary>Paths plotted per policy: enough to see both ways, few enough to tell apart.</summary>
    private const int PlottedEpisodes = 6;

    public static SeedSpread Expert(IReadOnlyList<MultimodalSeed> seeds) => new([.. seeds.Select(s => s.Expert.SuccessRate)]);

    public static SeedSpread Gaussian(IReadOnlyList<MultimodalSeed> seeds) => new([.. seeds.Select(s => s.Gaussian.SuccessRate)]);

    public static SeedSpread Mixture(IReadOnlyList<MultimodalSeed> seeds) => new([.. seeds.Select(s => s.Mixture.SuccessRate)]);

    public static IReadOnlyList<string> Table(IReadOnlyList<MultimodalSeed> seeds)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "| seed | demonstrations | expert | Gaussian BC | Gaussian-mixture BC |",
            "|---|---|---|---|---|",
        };
        lines.AddRange(seeds.Select(s => string.Create(c,
            $"| {s.Seed} | {s.Demonstrations.Episodes.Count} | {100 * s.Expert.SuccessRate:F0} % | {100 * s.Gaussian.SuccessRate:F0} % | {100 * s.Mixture.SuccessRate:F0} % |")));
        lines.Add($"| all | | {Expert(seeds).Percent()} | {Gaussian(seeds).Percent()} | {Mixture(seeds).Percent()} |");
        return lines;
    }

    public static JsonObject Json(IReadOnlyList<MultimodalSeed> seeds, MultimodalSettings settings) => new()
    {
        ["study"] = "multimodal",
        ["robot"] = MultimodalSettings.Robot,
        ["seeds"] = seeds.Count,
        ["demonstrations"] = settings.DemonstrationEpisodes,
        ["evaluation_episodes"] = settings.EvaluationEpisodes,
        ["mixture_components"] = settings.Training.MixtureComponents,
        ["expert_success"] = Expert(seeds).ToJson(),
        ["gaussian_success"] = Gaussian(seeds).ToJson(),
        ["mixture_success"] = Mixture(seeds).ToJson(),
    };

    /// <summary>Writes report.md, the two path plots and study.json (last: it marks a finished study's folder); returns the report's path.</summary>
    public static string Write(IReadOnlyList<MultimodalSeed> seeds, MultimodalSettings settings, DemoFolder folder, double seconds)
    {
        var first = seeds[0];
        File.WriteAllText(folder.File("paths-gaussian.svg"), PathChart("Gaussian BC", first.Gaussian.LogPath));
        File.WriteAllText(folder.File("paths-mixture.svg"), PathChart("Gaussian-mixture BC", first.Mixture.LogPath));
        var c = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        report.AppendLine("# One Gaussian or a mixture, when the expert has two good answers");
        report.AppendLine();
        report.AppendLine(string.Create(c,
            $"On `{MultimodalSettings.Robot}` a point robot must get past a round obstacle to the goal behind it. It starts at rest on the line through the obstacle and the goal, so nothing it observes says which side to take, and the scripted expert takes the left or the right at random each episode. " +
            $"Per seed, the expert recorded {settings.DemonstrationEpisodes} demonstrations; a Gaussian policy and a mixture of {settings.Training.MixtureComponents} Gaussians trained on exactly those (same split, same training seed, {settings.Training.MaxSteps} steps); the expert and both policies then drove the same {settings.EvaluationEpisodes} episodes no demonstration came from (seed {Study.EvaluationSeedBase} + the seed)."));
        report.AppendLine();
        report.AppendLine("Success rates:");
        report.AppendLine();
        foreach (string line in Table(seeds))
        {
            report.AppendLine(line);
        }
        report.AppendLine();
        report.AppendLine("Behavioral cloning is maximum likelihood: a single Gaussian's likeliest action, its mean, is the average of what the expert did in that state. Where the expert went left half the time and right the other half, the average is straight ahead, into the obstacle. " +
            "The mixture gives each way a component, and the robot acts with the likeliest component's mean: it commits to one side and, once off the centre line, the side it is on.");
        report.AppendLine();
        report.AppendLine(string.Create(c, $"The first {PlottedEpisodes} evaluation episodes of seed {first.Seed} (dashed: each episode's obstacle):"));
        report.AppendLine();
        report.AppendLine("![Gaussian BC](paths-gaussian.svg)");
        report.AppendLine();
        report.AppendLine("![Gaussian-mixture BC](paths-mixture.svg)");
        report.AppendLine();
        return Study.Finish(folder, report, Json(seeds, settings), seconds);
    }

    /// <summary>The robot's x–y path in each of the first episodes of an evaluation, and each episode's obstacle as a dashed circle.</summary>
    private static string PathChart(string driver, string logPath)
    {
        var series = new List<ChartSeries>();
        var episodes = TeleopLogReader.Read(logPath).Episodes.Take(PlottedEpisodes).ToList();
        for (int i = 0; i < episodes.Count; i++)
        {
            var steps = episodes[i].Steps;
            string color = LineChart.Palette[i % LineChart.Palette.Count];
            series.Add(new ChartSeries($"episode {i + 1}: {episodes[i].Outcome.ToString().ToLowerInvariant()}", color,
                [.. steps.Select(s => ((double)s.Observation[0], (double)s.Observation[1]))]));
            // Observation 4..6: the obstacle's centre relative to the robot, and its radius (DetourSimulation.Describe).
            var start = steps[0].Observation;
            double centreX = start[0] + start[4];
            double centreY = start[1] + start[5];
            double radius = start[6];
            series.Add(new ChartSeries($"its obstacle", color,
                [.. Enumerable.Range(0, 49).Select(k => (centreX + radius * Math.Cos(k * Math.PI / 24), centreY + radius * Math.Sin(k * Math.PI / 24)))], Dashed: true));
        }
        return LineChart.Svg($"{driver} on sim:detour: the robot's path", "x (m)", "y (m)", series);
    }
}
