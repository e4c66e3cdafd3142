using Robotics.Controller.Cli;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Cli;

public sealed class LogCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Log_info_reports_episodes_steps_rate_sources_and_drops_as_json()
    {
        string path = _directory.File("log.mcap");
        TestLogs.Write(path, episodes: 4, stepsPerEpisode: 101);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("episodes  4 (success 2, failure 2", run.Stdout);
        var json = run.Json;
        Assert.Equal(4, json.GetProperty("episodes").GetInt32());
        Assert.Equal(404, json.GetProperty("steps").GetInt64());
        Assert.Equal(4.0, json.GetProperty("duration_s").GetDouble(), 6);
        Assert.Equal(100.0, json.GetProperty("achieved_rate_hz").GetDouble(), 6);
        Assert.Equal(204, json.GetProperty("steps_per_source").GetProperty("teleop").GetInt64());
        Assert.Equal(200, json.GetProperty("steps_per_source").GetProperty("override").GetInt64());
        Assert.Equal(0, json.GetProperty("dropped_steps").GetInt64());
        Assert.Equal(2, json.GetProperty("outcomes").GetProperty("success").GetInt32());
    }

    [Fact]
    public void Log_info_on_a_directory_totals_every_log_in_it()
    {
        TestLogs.Write(_directory.File("a.mcap"), episodes: 1, stepsPerEpisode: 10);
        TestLogs.Write(_directory.File("b.mcap"), episodes: 2, stepsPerEpisode: 10);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", _directory.Path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Json.GetProperty("files").GetArrayLength());
        Assert.Equal(30, run.Json.GetProperty("steps").GetInt64());
        Assert.Contains("total of 2 files", run.Stdout);
    }

    [Fact]
    public void Log_info_on_a_bad_file_prints_one_error_naming_it_and_fails()
    {
        string path = _directory.File("bad.mcap");
        File.WriteAllText(path, "this is not a recording");

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: {path}: at byte 0: not an MCAP file: it starts with 7468697320697320, not the MCAP magic 894D434150300D0A", run.Stderr.Trim());
    }

    [Fact]
    public void Log_recover_writes_a_closed_copy_of_a_cut_log()
    {
        string path = _directory.File("cut.mcap");
        TestLogs.Write(path, episodes: 2, stepsPerEpisode: 300, new TeleopLogWriterOptions { ChunkSizeBytes = 4096, SyncEachChunk = false });
        var (offset, _) = McapFileSurgery.Chunks(path)[^1];
        long lostSteps = McapFileSurgery.StepsInChunk(path, offset);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(offset + 10)]);

        var info = CliRun.Of(TrainerCli.Build(), "log", "info", path);
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("was not closed", info.Stderr);

        var run = CliRun.Of(TrainerCli.Build(), "log", "recover", path, "--json");

        Assert.Equal(0, run.ExitCode);
        string output = _directory.File("cut.recovered.mcap");
        Assert.Equal(output, run.Json.GetProperty("output").GetString());
        Assert.False(run.Json.GetProperty("input_was_closed").GetBoolean());
        Assert.Equal(offset, run.Json.GetProperty("valid_bytes").GetInt64());
        var recovered = TeleopLogReader.Read(output);
        Assert.True(recovered.WasClosed);
        Assert.Equal(run.Json.GetProperty("steps").GetInt64(), recovered.StepCount);
        Assert.Equal(600 - lostSteps, recovered.StepCount);
    }

    [Fact]
    public void Every_command_has_help()
    {
        foreach (var args in new[] { new[] { "--help" }, ["log", "--help"], ["log", "info", "--help"], ["log", "recover", "--help"] })
        {
            var run = CliRun.Of(TrainerCli.Build(), args);
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Usage:", run.Stdout);
        }
        foreach (var args in new[] { new[] { "--help" }, ["bench", "--help"], ["bench", "log", "--help"] })
        {
            var run = CliRun.Of(ControllerCli.Build(), args);
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Usage:", run.Stdout);
        }
    }
}
