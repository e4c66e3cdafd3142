using Robotics.Controller.Policy;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Datasets;

/// <summary><c>trainer train --data</c> on robomimic files h5py wrote: the same path as the trainer's own logs, split as the file's masks say.</summary>
public sealed class RobomimicTrainingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CliRun Train(string policy, string[] data, params string[] options) => CliRun.Of(TrainerCli.Build(),
        ["train", "--data", .. data, "--out", policy, "--hidden", "32,32", "--batch", "64", "--threads", "1", "--epochs", "5", "--patience", "0", "--json", .. options]);

    [Fact]
    public void A_robomimic_file_trains_a_policy_named_and_timed_as_its_env_args_say()
    {
        string path = _directory.File("lift.hdf5");
        H5pyRobomimic.Make(path, "--demos", "6", "--frames", "40", "--control-freq", "10", "--image");
        string policy = _directory.File("p.onnx");

        var run = Train(policy, [path], "--obs-keys", "robot0_eef_pos,robot0_gripper_qpos");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var runner = new PolicyRunner(policy);
        Assert.Equal("Lift", runner.Metadata.Robot);
        Assert.Equal(10, runner.Metadata.ControlRateHz);
        Assert.Equal(["robot0_eef_pos_0", "robot0_eef_pos_1", "robot0_eef_pos_2", "robot0_gripper_qpos_0", "robot0_gripper_qpos_1"], runner.Metadata.ObservationNames);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"action_{i}"), runner.Metadata.ActionNames);
        Assert.Equal(240, run.Json.GetProperty("train_steps").GetInt64() + run.Json.GetProperty("val_steps").GetInt64());
        Assert.Equal("seeded", run.Json.GetProperty("split").GetString());
        Assert.Contains("obs/agentview_image (uint8 [T, 84, 84, 3]) left out", run.Stderr);
    }

    [Fact]
    public void The_files_masks_are_the_split_and_demos_in_neither_are_left_out()
    {
        string path = _directory.File("masked.hdf5");
        // demo_0..demo_9 masked (validation: demo_3, demo_7), demo_10 and demo_11 in neither.
        H5pyRobomimic.Make(path, "--demos", "12", "--frames", "20", "--masks", "--unmasked", "2");

        var run = Train(_directory.File("p.onnx"), [path], "--val-fraction", "0.5");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(8, run.Json.GetProperty("train_episodes").GetInt32());
        Assert.Equal(2, run.Json.GetProperty("val_episodes").GetInt32());
        Assert.Equal("masks", run.Json.GetProperty("split").GetString());
        Assert.Contains("(the split of the files' mask/train and mask/valid)", run.Stdout);
        Assert.Contains("left out 2 demos in neither mask/train nor mask/valid", run.Stderr);
    }

    [Fact]
    public void Masks_that_leave_no_validation_episode_are_refused_and_nothing_is_trained()
    {
        string path = _directory.File("masked.hdf5");
        // The validation demos, demo_3 and demo_7, never reach the success reward: --only-success leaves them out.
        H5pyRobomimic.Make(path, "--demos", "8", "--frames", "20", "--masks", "--failed", "3,7");
        string policy = _directory.File("p.onnx");

        var run = Train(policy, [path], "--only-success");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: the data's split (mask/train and mask/valid) leaves 6 training and 0 validation episode(s) with expert steps: both need at least one whole episode",
            run.Stderr.Trim());
        Assert.False(File.Exists(policy));
    }

    [Fact]
    public void A_resumed_run_keeps_its_obs_keys()
    {
        string path = _directory.File("lift.hdf5");
        H5pyRobomimic.Make(path, "--demos", "5", "--frames", "20");
        string policy = _directory.File("p.onnx");
        Assert.Equal(0, Train(policy, [path], "--obs-keys", "object").ExitCode);

        var run = Train(policy, [path], "--resume", _directory.File("p.run"), "--obs-keys", "robot0_eef_pos");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--obs-keys: got 'robot0_eef_pos'; a resumed run keeps the obs keys it started with ('object')", run.Stderr);
    }

    [Fact]
    public void Files_with_and_without_masks_together_are_split_by_the_seed_with_a_warning()
    {
        string masked = _directory.File("masked.hdf5");
        string plain = _directory.File("plain.hdf5");
        H5pyRobomimic.Make(masked, "--demos", "4", "--frames", "20", "--masks");
        H5pyRobomimic.Make(plain, "--demos", "6", "--frames", "20");

        var run = Train(_directory.File("p.onnx"), [masked, plain]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("seeded", run.Json.GetProperty("split").GetString());
        Assert.Equal(2, run.Json.GetProperty("val_episodes").GetInt32());
        Assert.Contains("4 of 10 episodes have a side in their file's mask/train and mask/valid, the others none: all are split by --val-fraction and --seed instead", run.Stderr);
    }

    [Theory]
    [InlineData("no-actions", "data/demo_2 has no actions")]
    [InlineData("short-obs", "data/demo_2/obs/object has 19 frames but actions has 20")]
    [InlineData("unknown-key", "has no obs key robot0_joint_pos; its obs keys: object (float64 [T, 10]), robot0_eef_pos (float64 [T, 3]), robot0_gripper_qpos (float64 [T, 2])")]
    [InlineData("no-data", "no data group")]
    [InlineData("not-hdf5", "not a readable HDF5 file")]
    [InlineData("truncated", "not a readable HDF5 file")]
    [InlineData("bad-source", "data/demo_2/source[1] is 'human', not one of teleop, policy, override, safety, unspecified")]
    [InlineData("bad-intv-labels", "data/demo_2/intv_labels[1] is 2, not one of Sirius's labels")]
    [InlineData("bad-outcome", "data/demo_2: attrs[\"outcome\"] must be one of success, failure, aborted, unspecified, got 'won'")]
    public void Bad_input_is_one_error_naming_the_file_and_nothing_is_trained(string fault, string expected)
    {
        string path = _directory.File($"{fault}.hdf5");
        string[] options = fault switch
        {
            "no-actions" => ["--no-actions"],
            "short-obs" => ["--short-obs", "object"],
            "no-data" => ["--no-data"],
            "bad-source" => ["--bad-marker", "source"],
            "bad-intv-labels" => ["--bad-marker", "intv_labels"],
            "bad-outcome" => ["--bad-marker", "outcome"],
            _ => [],
        };
        H5pyRobomimic.Make(path, ["--demos", "3", "--frames", "20", .. options]);
        if (fault == "not-hdf5")
        {
            File.WriteAllText(path, "demo_0,demo_1\n");
        }
        if (fault == "truncated")
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        }
        string policy = _directory.File("p.onnx");

        var run = Train(policy, [path], fault == "unknown-key" ? ["--obs-keys", "object,robot0_joint_pos"] : []);

        Assert.Equal(1, run.ExitCode);
        string error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(path, error);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(policy));
        Assert.False(Directory.Exists(_directory.File("p.run")));
    }

    [Fact]
    public void Obs_keys_without_a_robomimic_file_is_refused()
    {
        string log = _directory.File("teleop.mcap");
        TestLogs.Write(log, 4, 10);
        string policy = _directory.File("p.onnx");

        var run = Train(policy, [log], "--obs-keys", "object");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--obs-keys chooses the obs keys of robomimic files (.hdf5, .h5), and --data gives none", run.Stderr);
        Assert.False(File.Exists(policy));
    }
}
