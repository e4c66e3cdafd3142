using Robotics.Controller.Policy;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Datasets;

/// <summary><c>trainer train --data</c> on a LeRobot dataset folder DuckDB wrote: the same path as the trainer's own logs.</summary>
public sealed class LeRobotTrainingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CliRun Train(string root, string policy) => CliRun.Of(TrainerCli.Build(), "train", "--data", root, "--out", policy,
        "--hidden", "32,32", "--batch", "64", "--threads", "1", "--epochs", "5", "--patience", "0", "--json");

    [Fact]
    public void A_teleoperated_dataset_trains_a_policy_named_and_timed_as_the_dataset_says()
    {
        string root = _directory.File("lerobot");
        NodeDuckDb.MakeLeRobot(root, "--episodes", "6", "--frames", "60", "--fps", "30");
        string policy = _directory.File("p.onnx");

        var run = Train(root, policy);

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var runner = new PolicyRunner(policy);
        Assert.Equal("so_follower", runner.Metadata.Robot);
        Assert.Equal(30, runner.Metadata.ControlRateHz);
        Assert.Equal(["shoulder_pan.pos", "elbow_flex.pos", "gripper.pos"], runner.Metadata.ObservationNames);
        Assert.Equal(["shoulder_pan.goal", "elbow_flex.goal"], runner.Metadata.ActionNames);
        Assert.Equal(360, run.Json.GetProperty("train_steps").GetInt64() + run.Json.GetProperty("val_steps").GetInt64());
    }

    [Fact]
    public void In_a_rollout_dataset_only_the_frames_an_operator_drove_are_learned()
    {
        string root = _directory.File("rollout");
        NodeDuckDb.MakeLeRobot(root, "--episodes", "6", "--frames", "60", "--intervention");

        var run = Train(root, _directory.File("p.onnx"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        // Every fifth frame is an intervention: 12 of each episode's 60.
        Assert.Equal(72, run.Json.GetProperty("train_steps").GetInt64() + run.Json.GetProperty("val_steps").GetInt64());
        Assert.Equal(288, run.Json.GetProperty("skipped_non_expert").GetInt64());
    }
}
