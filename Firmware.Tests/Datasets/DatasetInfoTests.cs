using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Datasets;

/// <summary><c>trainer log info</c> on datasets other tools wrote: described as a log is, read as training reads them.</summary>
public sealed class DatasetInfoTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CliRun Info(string path) => CliRun.Of(TrainerCli.Build(), "log", "info", path, "--json");

    [Fact]
    public void A_LeRobot_rollout_dataset_is_described_with_its_robot_rate_and_the_frames_an_operator_drove()
    {
        string root = _directory.File("lerobot");
        NodeDuckDb.MakeLeRobot(root, "--episodes", "3", "--frames", "20", "--fps", "30", "--intervention");

        var run = Info(root);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"{root} (LeRobot dataset)", run.Stdout);
        Assert.Contains("observes  shoulder_pan.pos, elbow_flex.pos, gripper.pos", run.Stdout);
        var json = run.Json;
        Assert.Equal("lerobot", json.GetProperty("format").GetString());
        Assert.Equal("so_follower", json.GetProperty("robots")[0].GetProperty("name").GetString());
        Assert.Equal(3, json.GetProperty("episodes").GetInt32());
        Assert.Equal(3, json.GetProperty("outcomes").GetProperty("unspecified").GetInt32());
        Assert.Equal(60, json.GetProperty("steps").GetInt64());
        Assert.Equal([30.0], json.GetProperty("nominal_rates_hz").EnumerateArray().Select(r => r.GetDouble()));
        // Every fifth frame is an intervention (the operator's); the rest the policy's.
        Assert.Equal(12, json.GetProperty("steps_per_source").GetProperty("override").GetInt64());
        Assert.Equal(48, json.GetProperty("steps_per_source").GetProperty("policy").GetInt64());
    }

    [Fact]
    public void A_robomimic_file_is_described_with_its_demos_outcomes_and_the_obs_keys_it_reads()
    {
        string file = _directory.File("lift.hdf5");
        H5pyRobomimic.Make(file, "--demos", "4", "--frames", "10");

        var run = Info(file);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("the observation is obs keys object, robot0_eef_pos, robot0_gripper_qpos", run.Stderr);
        var json = run.Json;
        Assert.Equal("robomimic", json.GetProperty("format").GetString());
        Assert.Equal("Lift", json.GetProperty("robots")[0].GetProperty("name").GetString());
        Assert.Equal(4, json.GetProperty("episodes").GetInt32());
        Assert.Equal(40, json.GetProperty("steps_per_source").GetProperty("teleop").GetInt64());
    }

    [Fact]
    public void A_damaged_dataset_is_one_error_naming_its_file()
    {
        string root = _directory.File("damaged");
        NodeDuckDb.MakeLeRobot(root, "--episodes", "2", "--frames", "20");
        string data = Directory.GetFiles(Path.Combine(root, "data"), "*.parquet", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(data, File.ReadAllBytes(data)[..100]);

        var run = Info(root);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{data}: not a readable Parquet file", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }
}
