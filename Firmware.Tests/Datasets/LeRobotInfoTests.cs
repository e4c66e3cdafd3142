using Robotics.Tests.Support;
using Robotics.Trainer.Datasets;

namespace Robotics.Tests.Datasets;

/// <summary>A LeRobot dataset's meta/info.json, as lerobot-record writes it and in the shapes older writers left.</summary>
public sealed class LeRobotInfoTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private const string Joints = """["shoulder_pan.pos", "shoulder_lift.pos", "elbow_flex.pos", "wrist_flex.pos", "wrist_roll.pos", "gripper.pos"]""";

    private static string Info(string version = "v3.0", string stateNames = Joints, string stateShape = "[6]") => $$"""
        {
          "codebase_version": "{{version}}", "fps": 30, "robot_type": "so_follower",
          "data_path": "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
          "features": {
            "action": {"dtype": "float32", "shape": [6], "names": {{Joints}}},
            "observation.state": {"dtype": "float32", "shape": {{stateShape}}, "names": {{stateNames}}},
            "observation.images.front": {"dtype": "video", "shape": [480, 640, 3], "names": ["height", "width", "channels"]},
            "timestamp": {"dtype": "float32", "shape": [1], "names": null},
            "episode_index": {"dtype": "int64", "shape": [1], "names": null}
          }
        }
        """;

    private string Dataset(string info)
    {
        string root = _directory.File($"dataset-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "meta"));
        File.WriteAllText(Path.Combine(root, "meta", "info.json"), info);
        return root;
    }

    [Fact]
    public void A_recorded_datasets_info_gives_its_rate_features_and_names()
    {
        var info = LeRobotInfo.Read(Dataset(Info()));

        Assert.Equal(("v3.0", 30.0, "so_follower"), (info.CodebaseVersion, info.Fps, info.RobotType));
        var state = info.Feature("observation.state")!;
        Assert.Equal(6, state.Width);
        Assert.Equal("gripper.pos", state.Names[5]);
        Assert.True(info.Feature("observation.images.front")!.IsVisual);
        Assert.Equal(["episode_index_0"], info.Feature("episode_index")!.Names);
    }

    [Theory]
    [InlineData("""{"motors": ["a", "b"]}""")]
    [InlineData("""{"b": 1, "a": 0}""")]
    [InlineData("""["a", "b"]""")]
    public void Names_in_any_of_the_three_shapes_lerobots_writers_use_read_the_same(string names)
    {
        var info = LeRobotInfo.Read(Dataset(Info(stateNames: names, stateShape: "[2]")));

        Assert.Equal(["a", "b"], info.Feature("observation.state")!.Names);
    }

    [Fact]
    public void A_folder_without_info_json_an_unknown_version_and_names_that_disagree_with_the_shape_are_refused_by_name()
    {
        string empty = _directory.File("empty");
        Directory.CreateDirectory(empty);

        Assert.Equal($"{empty}: not a LeRobot dataset: no meta/info.json", Assert.Throws<InvalidDataException>(() => LeRobotInfo.Read(empty)).Message);
        string old = Dataset(Info(version: "v1.6"));
        Assert.Equal($"{Path.Combine(old, "meta", "info.json")}: codebase_version 'v1.6' is not one this trainer reads (v3.0, v2.1)",
            Assert.Throws<InvalidDataException>(() => LeRobotInfo.Read(old)).Message);
        string wrong = Dataset(Info(stateShape: "[7]"));
        Assert.Equal($"{Path.Combine(wrong, "meta", "info.json")}: features.observation.state.names: 6 names for a shape of 7 entries",
            Assert.Throws<InvalidDataException>(() => LeRobotInfo.Read(wrong)).Message);
    }
}
