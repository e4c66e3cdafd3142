using Robotics.Tests.Support;
using Robotics.Trainer.Datasets;

namespace Robotics.Tests.Datasets;

/// <summary>LeRobot datasets written by DuckDB (an independent Parquet writer) in the v3.0 and v2.1 layouts, read back.</summary>
public sealed class LeRobotDatasetTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("v3.0")]
    [InlineData("v2.1")]
    public async Task Every_frame_of_every_episode_is_read_in_order_with_the_values_duckdb_wrote(string version)
    {
        string root = _directory.File($"lerobot-{version}");
        NodeDuckDb.MakeLeRobot(root, "--version", version, "--episodes", "3", "--frames", "40", "--intervention");

        var dataset = await LeRobotDataset.ReadAsync(root);

        Assert.Equal([0L, 1L, 2L], dataset.Episodes.Select(e => e.Index));
        Assert.All(dataset.Episodes, e => Assert.Equal(40, e.Frames));
        Assert.Equal(["shoulder_pan.pos", "elbow_flex.pos", "gripper.pos"], dataset.StateFeature.Names);
        // make-lerobot.mjs: state = [sin(0.1 i + e), sin(0.1 i + 2e), 0.1 e]; every fifth frame an intervention.
        var episode = dataset.Episodes[2];
        int frame = 7;
        Assert.Equal(MathF.Sin(0.1f * frame + 2), episode.States[3 * frame], 5);
        Assert.Equal(MathF.Sin(0.1f * frame + 4), episode.States[3 * frame + 1], 5);
        Assert.Equal(0.2f, episode.States[3 * frame + 2], 5);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i % 5 == 0), episode.Interventions);
    }

    [Fact]
    public async Task A_state_of_another_width_than_declared_is_refused_naming_the_file_column_and_row()
    {
        string root = _directory.File("wrong-width");
        NodeDuckDb.MakeLeRobot(root, "--episodes", "1", "--frames", "5");
        string info = Path.Combine(root, "meta", "info.json");
        File.WriteAllText(info, File.ReadAllText(info).Replace("\"gripper.pos\"", "\"gripper.pos\", \"wrist.pos\"").Replace("\"shape\": [\n                3\n            ]", "\"shape\": [4]"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LeRobotDataset.ReadAsync(root));

        Assert.Equal($"{Path.Combine(root, "data", "chunk-000", "file-000.parquet")}: column observation.state, row 0: 3 entries where the dataset declares 4", error.Message);
    }

    [Fact]
    public async Task A_truncated_data_file_is_refused_naming_it()
    {
        string root = _directory.File("truncated");
        NodeDuckDb.MakeLeRobot(root, "--episodes", "1", "--frames", "5");
        string file = Path.Combine(root, "data", "chunk-000", "file-000.parquet");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LeRobotDataset.ReadAsync(root));

        Assert.StartsWith($"{file}: not a readable Parquet file", error.Message);
    }
}
