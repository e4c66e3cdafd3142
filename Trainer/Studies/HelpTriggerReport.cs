using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Robotics.Trainer.Demo;
using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Studies;

/// <summary>The help-trigger study's tables, its precision and recall plots, and its figures as JSON.</summary>
public static class HelpTriggerReport
{
    /// <summary>A figure of one trigger at one setting over the seeds it is defined for (precision is not, where nothing was asked); null if none.</summary>
    public static SeedSpread? Spread(IReadOnlyList<HelpTriggerSeed> seeds, string trigger, string setting, Func<TriggerScore, double> figure)
    {
        var values = seeds.Select(s => figure(Find(s, trigger, setting))).Where(double.IsFinite).ToList();
        return values.Count == 0 ? null : new SeedSpread(values);
    }

    private static TriggerScore Find(HelpTriggerSeed seed, string trigger, string setting) =>
        seed.Results.Single(r => r.Trigger == trigger && r.Setting == setting).Score;

    /// <summary>The precision of requests raised on ticks drawn at random: the share of ticks in or just before the gate's moments.</summary>
    public static SeedSpread RandomPrecision(IReadOnlyList<HelpTriggerSeed> seeds) => new([.. seeds.Select(s => s.UsefulTickShare)]);

    private static string Percent(SeedSpread? spread) => spread?.Percent() ?? "—";

    /// <summary>Precision and recall of every trigger at each shared share of ticks.</summary>
    public static IReadOnlyList<string> Table(IReadOnlyList<HelpTriggerSeed> seeds, HelpTriggerSettings settings)
    {
        var shares = settings.TickShares.Select(HelpTriggerStudy.ShareSetting).ToList();
        var lines = new List<string>
        {
            "| trigger | " + string.Join(" | ", shares.Select(s => $"precision at {s} of ticks | recall at {s}")) + " |",
            "|---|" + string.Concat(shares.Select(_ => "---:|---:|")),
        };
        lines.Add($"| at random | " + string.Join(" | ", shares.Select(_ => $"{RandomPrecision(seeds).Percent()} | {Percent(null)}")) + " |");
        foreach (var (trigger, description) in TriggerEpisodes.Triggers)
        {
            lines.Add($"| {description} | " + string.Join(" | ", shares.Select(s =>
                $"{Percent(Spread(seeds, trigger, s, t => t.Precision))} | {Percent(Spread(seeds, trigger, s, t => t.Recall))}")) + " |");
        }
        return lines;
    }

    /// <summary>Every trigger at the threshold the trainer stored: how often it fired on the robot, and what its requests were worth.</summary>
    public static IReadOnlyList<string> FileTable(IReadOnlyList<HelpTriggerSeed> seeds)
    {
        var c = CultureInfo.InvariantCulture;
        const string file = HelpTriggerStudy.FileSetting;
        var lines = new List<string>
        {
            "| trigger | threshold | share of ticks over it | requests | precision | recall |",
            "|---|---:|---:|---:|---:|---:|",
        };
        foreach (var (trigger, description) in TriggerEpisodes.Triggers)
        {
            var scores = seeds.Select(s => Find(s, trigger, file)).ToList();
            string thresholds = string.Join(", ", scores.Select(s => s.Threshold.ToString("G3", c)));
            lines.Add($"| {description} | {thresholds} | {Percent(Spread(seeds, trigger, file, t => t.TickShare))} | {string.Join(", ", scores.Select(s => s.Requests))} | " +
                $"{Percent(Spread(seeds, trigger, file, t => t.Precision))} | {Percent(Spread(seeds, trigger, file, t => t.Recall))} |");
        }
        return lines;
    }

    public static JsonObject Json(IReadOnlyList<HelpTriggerSeed> seeds, HelpTriggerSettings settings)
    {
        var settingsJson = new JsonArray();
        foreach (string setting in settings.TickShares.Select(HelpTriggerStudy.ShareSetting).Prepend(HelpTriggerStudy.FileSetting))
        {
            var triggers = new JsonObject();
            foreach (var (trigger, _) in TriggerEpisodes.Triggers)
            {
                triggers[trigger.Replace('-', '_')] = new JsonObject
                {
                    ["threshold"] = new JsonArray([.. seeds.Select(s => (JsonNode)Find(s, trigger, setting).Threshold)]),
                    ["requests"] = new JsonArray([.. seeds.Select(s => (JsonNode)Find(s, trigger, setting).Requests)]),
                    ["tick_share"] = Spread(seeds, trigger, setting, t => t.TickShare)?.ToJson(),
                    ["precision"] = Spread(seeds, trigger, setting, t => t.Precision)?.ToJson(),
                    ["recall"] = Spread(seeds, trigger, setting, t => t.Recall)?.ToJson(),
                };
            }
            settingsJson.Add(new JsonObject { ["setting"] = setting, ["triggers"] = triggers });
        }
        return new JsonObject
        {
            ["study"] = "help-triggers",
            ["robot"] = HelpTriggerSettings.Robot,
            ["seeds"] = seeds.Count,
            ["demonstrations"] = settings.DemonstrationEpisodes,
            ["ensemble_members"] = settings.EnsembleMembers,
            ["evaluation_episodes"] = settings.EvaluationEpisodes,
            ["lead_seconds"] = settings.LeadSeconds,
            ["ensemble_success"] = new SeedSpread([.. seeds.Select(s => s.Ensemble.SuccessRate)]).ToJson(),
            ["single_success"] = new SeedSpread([.. seeds.Select(s => s.OneNetwork.SuccessRate)]).ToJson(),
            ["gate_moments"] = new JsonArray([.. seeds.Select(s => (JsonNode)s.GateMoments)]),
            ["gate_moments_before_failure"] = new JsonArray([.. seeds.Select(s => (JsonNode)s.Moments)]),
            ["random_precision"] = RandomPrecision(seeds).ToJson(),
            ["settings"] = settingsJson,
        };
    }

    /// <summary>Writes report.md, the two plots and study.json (last: it marks a finished study's folder); returns the report's path.</summary>
    public static string Write(IReadOnlyList<HelpTriggerSeed> seeds, HelpTriggerSettings settings, DemoFolder folder, double seconds)
    {
        var c = CultureInfo.InvariantCulture;
        var report = new StringBuilder();
        report.AppendLine("# Are help requests worth an operator's attention?");
        report.AppendLine();
        report.AppendLine(string.Create(c,
            $"On `{HelpTriggerSettings.Robot}`, per seed, the expert recorded {settings.DemonstrationEpisodes} demonstrations; a single Gaussian network and an ensemble of {settings.EnsembleMembers} trained on them " +
            $"(same training seed, {settings.Training.MaxSteps} steps). The single network drove {settings.EvaluationEpisodes} unseen episodes alone ({Percent(new SeedSpread([.. seeds.Select(s => s.OneNetwork.SuccessRate)]))} success; " +
            $"the ensemble, on the same episodes, {Percent(new SeedSpread([.. seeds.Select(s => s.Ensemble.SuccessRate)]))}) while the demo's expert gate watched without acting: it would have stepped in " +
            $"{string.Join(", ", seeds.Select(s => s.GateMoments))} times (per seed), {string.Join(", ", seeds.Select(s => s.Moments))} of them in episodes that failed."));
        report.AppendLine("Those are the moments a help request is for: where the gate worried in an episode the policy went on to finish, the robot needed no one. " +
            "The ensemble's σ and novelty are what it says of the observations the single network met.");
        report.AppendLine();
        report.AppendLine(string.Create(c,
            $"A request is raised as the controller raises one, after a run of unsure ticks. It is useful (precision) if it comes at most {settings.LeadSeconds} s before the gate would step in, or while the gate would be driving; " +
            $"a moment the gate steps in is caught (recall) if a request came at most {settings.LeadSeconds} s before it, or on it."));
        report.AppendLine();
        report.AppendLine("## At the same request rate");
        report.AppendLine();
        report.AppendLine("Each trigger's threshold set so that it is over it on the same share of the evaluation's ticks (mean over the seeds, their range in brackets):");
        report.AppendLine();
        foreach (string line in Table(seeds, settings))
        {
            report.AppendLine(line);
        }
        report.AppendLine();
        report.AppendLine("![recall against the share of ticks](recall.svg)");
        report.AppendLine();
        report.AppendLine("![precision against the share of ticks](precision.svg)");
        report.AppendLine();
        report.AppendLine("## At the thresholds the trainer stored");
        report.AppendLine();
        report.AppendLine("Each set on held-out demonstration ticks at the trainer's --help-rate; thresholds and requests per seed:");
        report.AppendLine();
        foreach (string line in FileTable(seeds))
        {
            report.AppendLine(line);
        }
        report.AppendLine();
        File.WriteAllText(folder.File("recall.svg"), Chart(seeds, settings, "recall", t => t.Recall));
        File.WriteAllText(folder.File("precision.svg"), Chart(seeds, settings, "precision", t => t.Precision));
        return Study.Finish(folder, report, Json(seeds, settings), seconds);
    }

    /// <summary>A figure against the share of ticks the threshold was set for: a line per trigger, the mean over the seeds.</summary>
    private static string Chart(IReadOnlyList<HelpTriggerSeed> seeds, HelpTriggerSettings settings, string name, Func<TriggerScore, double> figure)
    {
        var series = TriggerEpisodes.Triggers.Select((t, i) => new ChartSeries(t.Description, LineChart.Palette[i],
            [.. settings.TickShares.Select(share => (share, Spread(seeds, t.Name, HelpTriggerStudy.ShareSetting(share), figure)?.Mean ?? double.NaN))])).ToList();
        return LineChart.Svg($"The help triggers' {name} on {HelpTriggerSettings.Robot}", "share of ticks over the threshold", name, series, yRange: (0, 1));
    }
}
