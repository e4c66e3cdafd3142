using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Demo;

/// <summary><c>trainer study multimodal</c> end to end, small: what it writes, and that it never overwrites someone else's folder.</summary>
public sealed class StudyCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_multimodal_study_writes_its_report_its_path_plots_and_figures_per_seed()
    {
        string folder = _directory.File("study");

        var run = CliRun.Of(TrainerCli.Build(), "study", "multimodal", "--seeds", "1", "--demos", "10", "--eval-episodes", "6", "--out", folder, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        Assert.Equal("multimodal", json.GetProperty("study").GetString());
        Assert.Equal("sim:detour", json.GetProperty("robot").GetString());
        foreach (string driver in new[] { "expert_success", "gaussian_success", "mixture_success" })
        {
            var figure = json.GetProperty(driver);
            Assert.Single(figure.GetProperty("per_seed").EnumerateArray());
            Assert.InRange(figure.GetProperty("mean").GetDouble(), 0, 1);
        }
        // The scripted expert gets past on either side every time; what the policies do on six episodes is the study's figure, not judged here.
        Assert.Equal(1, json.GetProperty("expert_success").GetProperty("mean").GetDouble());

        string report = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("![Gaussian BC](paths-gaussian.svg)", report);
        Assert.Contains("![Gaussian-mixture BC](paths-mixture.svg)", report);
        Assert.Contains("| 0 | 10 | 100 % |", report);
        foreach (string plot in new[] { "paths-gaussian.svg", "paths-mixture.svg" })
        {
            string svg = File.ReadAllText(Path.Combine(folder, plot));
            // Six episodes, each a path and its obstacle.
            Assert.Equal(12, svg.Split("<polyline").Length - 1);
        }
        foreach (string file in new[] { "data/teleop-seed0.mcap", "policies/gaussian-seed0.onnx", "policies/mixture-seed0.onnx", "evaluation/mixture-seed0.mcap", "study.json" })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }
    }

    [Fact]
    public void The_imperfect_expert_study_records_a_careless_operator_whose_episodes_fail_and_trains_four_ways()
    {
        string folder = _directory.File("imperfect");

        var run = CliRun.Of(TrainerCli.Build(), "study", "imperfect-expert", "--seeds", "1", "--demos", "6", "--careless", "3", "--eval-episodes", "4", "--out", folder, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        Assert.Equal("imperfect-expert", json.GetProperty("study").GetString());
        // The careless operator aims 0.2 rad past a target it must reach within 2 cm: every episode fails.
        Assert.Equal(3, json.GetProperty("careless_failed")[0].GetInt32());
        foreach (string way in new[] { "expert_only_success", "all_success", "only_success_success", "operator_weighted_success" })
        {
            Assert.InRange(json.GetProperty(way).GetProperty("mean").GetDouble(), 0, 1);
        }
        // Who drove is in the logs the trainer weighs by: the careless operator's log names it on every episode.
        var careless = Robotics.Protos.TeleopLog.TeleopLogReader.Read(Path.Combine(folder, "data", "careless-seed0.mcap"));
        Assert.All(careless.Episodes, e => Assert.Equal(Robotics.Hardware.Simulation.CarelessReachExpert.Name, e.Start.Operator));
        string report = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("| 0 | 3 of 3 |", report);
        foreach (string policy in new[] { "expert-only", "all", "only-success", "operator-weighted" })
        {
            Assert.True(File.Exists(Path.Combine(folder, "policies", policy + "-seed0.onnx")), policy);
        }
    }

    [Fact]
    public void The_dagger_study_counts_the_experts_labelled_steps_for_plain_BC_and_round_by_round_for_DAgger()
    {
        string folder = _directory.File("dagger");

        var run = CliRun.Of(TrainerCli.Build(), "study", "dagger", "--seeds", "1", "--bc-demos", "3,6", "--rounds", "1", "--round-episodes", "2", "--eval-episodes", "3",
            "--out", folder, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var seed = Assert.Single(run.Json.GetProperty("per_seed").EnumerateArray());
        // sim:lane's episodes run their full 30 s (600 ticks) under the expert: every step of a demonstration is labelled.
        Assert.Equal([1800L, 3600L], seed.GetProperty("bc").EnumerateArray().Select(p => p.GetProperty("labelled_steps").GetInt64()));
        var dagger = seed.GetProperty("dagger").EnumerateArray().ToList();
        Assert.Equal(2, dagger.Count);
        Assert.Equal(1800, dagger[0].GetProperty("labelled_steps").GetInt64());
        // A round adds exactly the steps the expert drove in it, and only a takeover lets it drive. The converse does
        // not hold: a takeover the expert sends on one of an episode's last ticks can reach the robot after the episode
        // ended, and labels nothing.
        long added = dagger[1].GetProperty("labelled_steps").GetInt64() - 1800;
        Assert.True(added >= 0);
        Assert.True(added == 0 || dagger[1].GetProperty("takeovers").GetInt32() > 0, $"{added} steps labelled without a takeover");
        var corrections = Robotics.Protos.TeleopLog.TeleopLogReader.Read(Path.Combine(folder, "data", "dagger-1-seed0.mcap"));
        Assert.Equal(added, corrections.Episodes.Sum(e => e.Steps.Count(s => s.Source == Robotics.Protos.Log.ActionSource.Override)));
        Assert.Contains("![success against expert-labelled steps](success.svg)", File.ReadAllText(Path.Combine(folder, "report.md")));
        Assert.True(File.Exists(Path.Combine(folder, "success.svg")));

        var refused = CliRun.Of(TrainerCli.Build(), "study", "dagger", "--bc-demos", "6,3", "--out", _directory.File("never"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--bc-demos: got 6,3; the numbers must increase", refused.Stderr);
    }

    [Fact]
    public void The_help_trigger_study_scores_every_trigger_at_the_files_thresholds_and_at_shared_shares_of_ticks()
    {
        string folder = _directory.File("help");

        var run = CliRun.Of(TrainerCli.Build(), "study", "help-triggers", "--seeds", "1", "--demos", "6", "--ensemble", "2", "--eval-episodes", "8", "--out", folder, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        Assert.Equal("help-triggers", json.GetProperty("study").GetString());
        Assert.InRange(json.GetProperty("gate_moments_before_failure")[0].GetInt32(), 0, json.GetProperty("gate_moments")[0].GetInt32());
        var settings = json.GetProperty("settings").EnumerateArray().ToList();
        Assert.Equal(["file", "1 %", "2 %", "5 %", "10 %"], settings.Select(s => s.GetProperty("setting").GetString()));
        // The file's setting is the threshold the trainer stored: the ensemble's novelty threshold, as its metadata says.
        using (var ensemble = new Robotics.Controller.Policy.PolicyRunner(Path.Combine(folder, "policies", "ensemble-seed0.onnx")))
        {
            var novelty = settings[0].GetProperty("triggers").GetProperty("novelty");
            Assert.Equal(ensemble.Metadata.HelpNoveltyThreshold!.Value, novelty.GetProperty("threshold")[0].GetDouble(), 6);
        }
        // A threshold set for a share of ticks is over on at most that share (ties stay under it).
        foreach (var (setting, share) in settings.Skip(1).Zip([0.01, 0.02, 0.05, 0.10]))
        {
            foreach (var trigger in setting.GetProperty("triggers").EnumerateObject())
            {
                Assert.InRange(trigger.Value.GetProperty("tick_share").GetProperty("mean").GetDouble(), 0, share + 1e-9);
            }
        }
        string report = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("| at random |", report);
        Assert.Contains("![recall against the share of ticks](recall.svg)", report);
        foreach (string file in new[] { "recall.svg", "precision.svg", "policies/single-seed0.onnx", "evaluation/single-seed0.mcap" })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }
    }

    [Fact]
    public void A_folder_that_no_study_wrote_is_refused_and_left_as_it_was()
    {
        string foreign = _directory.File("notes");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "todo.txt"), "keep me");

        var refused = CliRun.Of(TrainerCli.Build(), "study", "multimodal", "--out", foreign);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is not empty and is not an earlier study's folder", refused.Stderr);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(foreign, "todo.txt")));
    }
}
