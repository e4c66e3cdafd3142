using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Robotics.Trainer.Demo;

namespace Robotics.Trainer.Studies;

/// <summary>
/// What every study shares. Seed s records its demonstrations with seed s (and s + <see cref="SecondRecordingSeed"/> for a
/// second set, <see cref="RoundSeed"/> for DAgger's rounds), and evaluates every policy on episodes of seed
/// <see cref="EvaluationSeedBase"/> + s, which no demonstration of any seed comes from.
/// </summary>
public static class Study
{
    public const int SecondRecordingSeed = 500;

    public const int EvaluationSeedBase = 1000;

    /// <summary>The episodes of DAgger round <paramref name="round"/> (from 1) of seed <paramref name="seed"/>: apart from every other set.</summary>
    public static int RoundSeed(int seed, int round) => 2000 + 100 * seed + round;

    /// <summary>Written last: the figures, and the mark of a finished study's folder, which a later run may replace.</summary>
    public const string SummaryFile = "study.json";

    /// <summary>Ends <paramref name="report"/> with where everything is, writes it as report.md and then the figures; returns the report's path.</summary>
    public static string Finish(DemoFolder folder, StringBuilder report, JsonObject figures, double seconds)
    {
        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{seconds:F0} s. Recordings are in `data/` and `evaluation/`, policies and their training runs in `policies/`; `{SummaryFile}` has the figures."));
        string path = folder.File("report.md");
        File.WriteAllText(path, report.ToString());
        File.WriteAllText(folder.File(SummaryFile), figures.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
