using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Tests.Training;

public sealed class TrainingDataTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SyntheticExperts.LinearGaussian _expert = SyntheticExperts.LinearGaussian.Random(3, 2, seed: 1);

    public void Dispose() => _directory.Dispose();

    private CliRun Train(params string[] data) =>
        CliRun.Of(TrainerCli.Build(), ["train", "--data", .. data, "--out", _directory.File("p.onnx"), "--hidden", "8", "--epochs", "1"]);

    [Fact]
    public void Only_teleop_and_override_steps_are_learned_from()
    {
        string path = _directory.File("mixed.mcap");
        var sources = new[] { ActionSource.Teleop, ActionSource.Policy, ActionSource.Override, ActionSource.Safety };
        SyntheticExperts.WriteLinearGaussian(path, _expert, episodes: 2, steps: 100, seed: 2, source: (_, tick) => sources[tick % 4]);

        var demonstrations = DemonstrationLoader.Load([path], new DemonstrationFilter());

        Assert.Equal(100, demonstrations.SampleCount);
        Assert.Equal(100, demonstrations.SkippedNonExpert);
    }

    [Fact]
    public void Only_success_leaves_out_failed_episodes()
    {
        string path = _directory.File("outcomes.mcap");
        SyntheticExperts.WriteLinearGaussian(path, _expert, episodes: 4, steps: 10, seed: 2,
            outcome: episode => episode % 2 == 0 ? EpisodeOutcome.Success : EpisodeOutcome.Failure);

        var demonstrations = DemonstrationLoader.Load([path], new DemonstrationFilter { OnlySuccess = true });

        Assert.Equal([2ul, 4ul], demonstrations.Episodes.Select(e => e.Id));
        Assert.Equal(2, demonstrations.SkippedEpisodesByOutcome);
    }

    [Fact]
    public void Steps_with_NaN_or_infinity_are_skipped_and_counted()
    {
        string path = _directory.File("nan.mcap");
        var robot = SyntheticExperts.Robot(3, 2);
        using (var writer = TeleopLogWriter.Create(path, robot))
        {
            writer.BeginEpisode(1, 0);
            for (ulong tick = 0; tick < 10; tick++)
            {
                float bad = tick switch { 3 => float.NaN, 7 => float.PositiveInfinity, _ => 1 };
                writer.Append(new StepRecord { EpisodeId = 1, Tick = tick, Observation = new[] { 1f, bad, 0 }, Action = new[] { 0f, tick == 5 ? float.NegativeInfinity : 0 }, Source = ActionSource.Teleop });
            }
            writer.EndEpisode(1, 0, EpisodeOutcome.Success, "");
        }

        var demonstrations = DemonstrationLoader.Load([path], new DemonstrationFilter());

        Assert.Equal(7, demonstrations.SampleCount);
        Assert.Equal(3, demonstrations.SkippedNonFinite);
    }

    [Fact]
    public void A_log_without_episodes_is_refused()
    {
        string path = _directory.File("empty.mcap");
        using (TeleopLogWriter.Create(path, SyntheticExperts.Robot(3, 2)))
        {
        }

        var run = Train(path);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: no episodes in {path}", run.Stderr.Trim());
    }

    [Fact]
    public void A_log_with_only_policy_steps_is_refused_with_the_counts()
    {
        string path = _directory.File("policy-only.mcap");
        SyntheticExperts.WriteLinearGaussian(path, _expert, episodes: 2, steps: 10, seed: 2, source: (_, _) => ActionSource.Policy);

        var run = Train(path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no expert steps to learn from", run.Stderr);
        Assert.Contains("20 steps from the policy or the safety layer", run.Stderr);
    }

    [Fact]
    public void Episodes_that_disagree_on_the_robot_are_refused_naming_both()
    {
        string a = _directory.File("a.mcap");
        string b = _directory.File("b.mcap");
        SyntheticExperts.WriteLinearGaussian(a, _expert, episodes: 2, steps: 10, seed: 2);
        SyntheticExperts.WriteLinearGaussian(b, SyntheticExperts.LinearGaussian.Random(4, 2, seed: 3), episodes: 2, steps: 10, seed: 2);

        var run = Train(a, b);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("episodes disagree on the robot's observations: 3 vs 4", run.Stderr);
        Assert.Contains(a, run.Stderr);
        Assert.Contains(b, run.Stderr);
    }

    [Fact]
    public void A_single_episode_cannot_make_a_validation_split()
    {
        string path = _directory.File("one.mcap");
        SyntheticExperts.WriteLinearGaussian(path, _expert, episodes: 1, steps: 50, seed: 2);

        var run = Train(path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("1 episode(s) with expert steps cannot be split into training and validation", run.Stderr);
    }

    [Fact]
    public void Asking_for_the_wrong_kind_says_which_kind_the_logs_need()
    {
        string path = _directory.File("discrete.mcap");
        SyntheticExperts.WriteDiscrete(path, observations: 3, choices: 2, episodes: 3, steps: 10, seed: 1);

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", path, "--kind", "gaussian", "--out", _directory.File("p.onnx"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("use --kind categorical", run.Stderr);
    }

    [Fact]
    public void Validation_holds_whole_episodes_never_split_ones()
    {
        string path = _directory.File("split.mcap");
        SyntheticExperts.WriteLinearGaussian(path, _expert, episodes: 10, steps: 37, seed: 2);
        var demonstrations = DemonstrationLoader.Load([path], new DemonstrationFilter());

        var data = TrainingData.Split(demonstrations, validationFraction: 0.2, seed: 5, stdFloor: 1e-3);

        Assert.Equal(2, data.Validation.EpisodeCount);
        Assert.Equal(2 * 37, data.Validation.Count);
        Assert.Equal(8 * 37, data.Train.Count);
        Assert.IsType<GaussianHead>(demonstrations.Kind);
    }

    [Fact]
    public void A_missing_data_path_is_named()
    {
        var run = Train(_directory.File("nowhere"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nowhere: no such file or directory", run.Stderr);
    }
}
