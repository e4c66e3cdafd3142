using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Robotics.Trainer.Demo;

namespace Robotics.Trainer.Studies;

/// <summary>The imperfect-expert study's table and its figures as JSON.</summary>
public static class ImperfectExpertReport
{
    public static SeedSpread Expert(IReadOnlyList<ImperfectExpertSeed> seeds) => new([.. seeds.Select(s => s.Expert.SuccessRate)]);

    public static SeedSpread Way(IReadOnlyList<ImperfectExpertSeed> seeds, string name) =>
        new([.. seeds.Select(s => s.Runs.Single(r => r.Name == name).Evaluation.SuccessRate)]);

    public static IReadOnlyList<string> Table(IReadOnlyList<ImperfectExpertSeed> seeds)
    {
        var c = CultureInfo.InvariantCulture;
        var ways = ImperfectExpertStudy.Ways;
        var lines = new List<string>
        {
            "| seed | careless episodes that failed | expert | " + string.Join(" | ", ways.Select(w => w.Description)) + " |",
            "|---|---|---|" + string.Concat(ways.Select(_ => "---|")),
        };
        foreach (var s in seeds)
        {
            int failed = s.Careless.Episodes.Count(e => !e.Succeeded);
            lines.Add(string.Create(c, $"| {s.Seed} | {failed} of {s.Careless.Episodes.Count} | {100 * s.Expert.SuccessRate:F0} % | ") +
                string.Join(" | ", s.Runs.Select(r => string.Create(c, $"{100 * r.Evaluation.SuccessRate:F0} %"))) + " |");
        }
        lines.Add($"| all | | {Expert(seeds).Percent()} | " + string.Join(" | ", ways.Select(w => Way(seeds, w.Name).Percent())) + " |");
        return lines;
    }

    public static JsonObject Json(IReadOnlyList<ImperfectExpertSeed> seeds, ImperfectExpertSettings settings)
    {
        var json = new JsonObject
        {
            ["study"] = "imperfect-expert",
            ["robot"] = ImperfectExpertSettings.Robot,
            ["seeds"] = seeds.Count,
            ["expert_episodes"] = settings.GoodEpisodes,
            ["careless_episodes"] = settings.CarelessEpisodes,
            ["careless_misjudgement_rad"] = settings.CarelessMisjudgement,
            ["careless_weight"] = settings.CarelessWeight,
            ["careless_failed"] = new JsonArray([.. seeds.Select(s => (JsonNode)s.Careless.Episodes.Count(e => !e.Succeeded))]),
            ["evaluation_episodes"] = settings.EvaluationEpisodes,
            ["expert_success"] = Expert(seeds).ToJson(),
        };
        foreach (var (name, _) in ImperfectExpertStudy.Ways)
        {
            json[name.Replace('-', '_') + "_success"] = Way(seeds, name).ToJson();
        }
        return json;
    }

    /// <summary>Writes report.md and study.json (last: it marks a finished study's folder); returns the report's path.</summary>
    public static string Write(IReadOnlyList<ImperfectExpertSeed> seeds, ImperfectExpertSettings settings, DemoFolder folder, double seconds)
    {
        var c = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        report.AppendLine("# BC copies the demonstrator, mistakes included");
        report.AppendLine();
        report.AppendLine(string.Create(c,
            $"On `{ImperfectExpertSettings.Robot}`, per seed, the scripted expert recorded {settings.GoodEpisodes} demonstrations and a careless operator {settings.CarelessEpisodes} more " +
            $"({100.0 * settings.CarelessEpisodes / (settings.GoodEpisodes + settings.CarelessEpisodes):F0} % of all), aiming {settings.CarelessMisjudgement} rad past the target in each joint, so that its episodes end off the target and the task records them as failures. " +
            $"Policies trained on those logs four ways (same training seed, {settings.Training.MaxSteps} steps; the weighted run gives the careless operator's steps weight {settings.CarelessWeight}), and all drove the same {settings.EvaluationEpisodes} unseen episodes."));
        report.AppendLine();
        foreach (string line in Table(seeds))
        {
            report.AppendLine(line);
        }
        report.AppendLine();
        report.AppendLine("Plain BC is maximum likelihood on whatever it is given: the careless operator's misjudged reaches pull the policy's mean off the target, and the arm settles outside the 2 cm it must reach. " +
            "The logs already say which episodes failed and who drove them; leaving out the failures, or weighting the careless operator down, gives back what the expert's own demonstrations teach.");
        report.AppendLine();
        return Study.Finish(folder, report, Json(seeds, settings), seconds);
    }
}
