using System.Text.Json;
using System.Text.RegularExpressions;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Demo;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoRuns
{
    /// <summary>The demo paces DAgger rounds in wall-clock time with an expert on gRPC: it runs alone.</summary>
    public const string Name = "demo runs";
}

[Collection(DemoRuns.Name)]
public sealed partial class DemoCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_quick_demo_writes_its_report_every_file_its_page_lists_and_figures_in_range()
    {
        string folder = _directory.File("demo");

        var run = CliRun.Of(TrainerCli.Build(), "demo", "--quick", "--out", folder, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        double expert = json.GetProperty("expert_success").GetDouble();
        double bc = json.GetProperty("bc_success").GetDouble();
        double dagger = json.GetProperty("dagger_success").GetDouble();
        Assert.True(expert >= 0.9, $"expert {expert}");
        Assert.True(bc <= expert - 0.3, $"BC {bc} against the expert's {expert}");
        // The DAgger rounds depend on when the expert's commands land, which a busy machine delays: their figures
        // vary from run to run (0.6–0.7 on an idle machine, 0.36 beside other builds) and are measured in
        // docs/demo.md, not judged here.
        Assert.InRange(dagger, 0, 1);
        Assert.True(json.GetProperty("bc_equal_data_steps").GetInt64() >= json.GetProperty("rounds")[1].GetProperty("dataset_steps").GetInt64());
        // How long it took is reported, not judged: that is a benchmark's figure (docs/demo.md), and this machine may be busy.
        Assert.True(json.GetProperty("seconds").GetDouble() > 0);

        var rounds = json.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal(2, rounds.Count);
        long previousSteps = json.GetProperty("demonstration_steps").GetInt64();
        foreach (var round in rounds)
        {
            Assert.True(round.GetProperty("interventions").GetInt32() > 0);
            Assert.Equal(round.GetProperty("interventions").GetInt32(),
                round.GetProperty("takeovers_on_drift").GetInt32() + round.GetProperty("takeovers_on_help").GetInt32());
            long expertSteps = round.GetProperty("expert_steps").GetInt64();
            Assert.True(expertSteps > 0);
            // Aggregation: each round trains on everything so far.
            Assert.Equal(previousSteps + expertSteps, round.GetProperty("dataset_steps").GetInt64());
            previousSteps = round.GetProperty("dataset_steps").GetInt64();
        }

        // The expert's corrections are in the round's log as overrides flagged as interventions, beside the policy's own ticks.
        var steps = TeleopLogReader.Read(Path.Combine(folder, "data", "dagger-1.mcap")).Episodes.SelectMany(e => e.Steps).ToList();
        var overrides = steps.Where(s => s.Source == ActionSource.Override).ToList();
        Assert.Equal(rounds[0].GetProperty("expert_steps").GetInt64(), overrides.Count);
        Assert.All(overrides, s => Assert.True((s.Flags & (uint)StepFlag.Intervention) != 0));
        Assert.Contains(steps, s => s.Source == ActionSource.Policy);

        string report = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("| DAgger round 2 (policy-2) |", report);
        var episodeCharts = Directory.GetFiles(folder, "episode-*.svg").Select(path => Path.GetFileName(path)).ToList();
        Assert.Equal(3, episodeCharts.Count);
        foreach (string chart in new[] { "success.svg", "training.svg" }.Concat(episodeCharts))
        {
            Assert.Contains($"({chart})", report);
            Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(folder, chart)));
        }
        Assert.Contains("| DAgger round 2 (policy-2) |", run.Stdout);
        var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "demo.json"))).RootElement;
        Assert.Equal(dagger, written.GetProperty("dagger_success").GetDouble());
        Assert.Contains("validation MSE of the mean action", File.ReadAllText(Path.Combine(folder, "training.svg")));
        // --json: no live bar's escape codes among the lines before the summary.
        Assert.DoesNotContain('\u001b', run.Stdout);

        foreach (string listed in DocumentedFiles())
        {
            Assert.True(Exists(folder, listed), $"docs/demo.md lists {listed}; the demo wrote no such file in {folder}");
        }
        foreach (Match link in MarkdownLink().Matches(report))
        {
            string target = Path.Combine(folder, link.Groups["target"].Value);
            Assert.True(File.Exists(target) || Directory.Exists(target), $"report.md links to {link.Groups["target"].Value}, which the demo did not write");
        }

        // The commands the report gives are written as README writes them, and do what it says.
        var commands = Command().Matches(report).Select(m => m.Groups["args"].Value.Split(' ')).ToList();
        Assert.DoesNotMatch(@"`trainer |`controller ", report);
        Assert.Equal(["eval", "log", "inspect"], commands.Select(c => c[0]));
        var again = CliRun.Of(TrainerCli.Build(), [.. commands[0], "--json"]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(dagger, again.Json.GetProperty("success_rate").GetDouble());
        var info = CliRun.Of(TrainerCli.Build(), commands[1]);
        Assert.True(info.ExitCode == 0, info.Stderr);
        Assert.Contains("episodes  20", info.Stdout);
        Assert.Equal(0, CliRun.Of(TrainerCli.Build(), commands[2]).ExitCode);
    }

    /// <summary>The paths in the first column of docs/demo.md's "What it writes" table, N standing for a number.</summary>
    private static List<string> DocumentedFiles()
    {
        string page = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "demo.md"));
        string section = page[page.IndexOf("## What it writes", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        var rows = section.Split('\n').Where(line => line.StartsWith("| `", StringComparison.Ordinal));
        var listed = rows.SelectMany(row => Backticked().Matches(row.Split('|')[1]).Select(m => m.Groups["path"].Value)).ToList();
        Assert.NotEmpty(listed);
        return listed;
    }

    private static bool Exists(string folder, string listed)
    {
        var pattern = new Regex("^" + Regex.Escape(listed).Replace("N", @"\d+", StringComparison.Ordinal) + "$");
        return Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Any(path => pattern.IsMatch(Path.GetRelativePath(folder, path).Replace('\\', '/')));
    }

    [GeneratedRegex(@"\]\((?<target>[^)]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex("`dotnet run --project Trainer -- (?<args>[^`]+)`")]
    private static partial Regex Command();

    [GeneratedRegex("`(?<path>[^`]+)`")]
    private static partial Regex Backticked();

    [Fact]
    public void The_cartpole_runs_the_same_pipeline_with_a_categorical_policy()
    {
        string folder = _directory.File("cartpole");

        var run = CliRun.Of(TrainerCli.Build(), "demo", "--robot", "sim:cartpole", "--kind", "categorical", "--quick", "--rounds", "1", "--round-episodes", "3",
            "--eval-episodes", "10", "--out", folder, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        Assert.Equal(1.0, json.GetProperty("expert_success").GetDouble());
        Assert.Single(json.GetProperty("rounds").EnumerateArray());
        // A categorical policy is kept by its Brier score, and says so.
        string training = File.ReadAllText(Path.Combine(folder, "training.svg"));
        Assert.Contains("validation Brier score of the action probabilities", training);
        Assert.DoesNotContain("MSE", training);
        Assert.Contains("validation Brier score of the action probabilities", run.Stdout);
        var inspect = CliRun.Of(TrainerCli.Build(), "inspect", Path.Combine(folder, "policies", "policy-1.onnx"));
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        Assert.Contains("categorical", inspect.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_second_run_replaces_its_own_folder_identically_but_never_someone_elses()
    {
        string foreign = _directory.File("notes");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "todo.txt"), "keep me");

        var refused = CliRun.Of(TrainerCli.Build(), "demo", "--quick", "--out", foreign);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is not empty and is not an earlier demo's folder", refused.Stderr);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(foreign, "todo.txt")));

        string mine = _directory.File("mine");
        string[] small = ["demo", "--quick", "--demos", "4", "--rounds", "0", "--eval-episodes", "3", "--out", mine, "--json"];
        var first = CliRun.Of(TrainerCli.Build(), small);
        Assert.True(first.ExitCode == 0, first.Stderr);
        byte[] policy = File.ReadAllBytes(Path.Combine(mine, "policies", "policy-0.onnx"));
        var again = CliRun.Of(TrainerCli.Build(), small);
        Assert.True(again.ExitCode == 0, again.Stderr);

        // Recording, training and evaluation are deterministic for a seed.
        Assert.Equal(policy, File.ReadAllBytes(Path.Combine(mine, "policies", "policy-0.onnx")));
        Assert.Equal(first.Json.GetProperty("bc_success").GetDouble(), again.Json.GetProperty("bc_success").GetDouble());
        Assert.Equal(first.Json.GetProperty("bc_mean_final_goal_error").GetDouble(), again.Json.GetProperty("bc_mean_final_goal_error").GetDouble());
    }

    [Fact]
    public void A_kind_the_robot_cannot_take_is_refused_in_one_line()
    {
        var run = CliRun.Of(TrainerCli.Build(), "demo", "--robot", "sim:cartpole", "--kind", "gaussian", "--quick", "--out", _directory.File("wrong"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--kind gaussian needs continuous actions", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }
}
