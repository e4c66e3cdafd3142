using Robotics.Controller.Cli;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Data;

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
    public void Log_info_says_an_unpaced_recording_ran_faster_than_real_time_instead_of_its_rate()
    {
        string path = _directory.File("unpaced.mcap");
        var record = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:cartpole", "--mode", "teleop", "--episodes", "2", "--unpaced", "--no-realtime", "--record", path);
        Assert.True(record.ExitCode == 0, record.Stderr);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("; recorded faster than real time (an unpaced simulator), as at its nominal 50 Hz\n", run.Stdout);
        Assert.DoesNotContain("achieved", run.Stdout);
    }

    [Fact]
    public void Log_info_names_the_robot_and_its_observations_and_actions_with_their_units()
    {
        string path = _directory.File("log.mcap");
        TestLogs.Write(path, episodes: 2, stepsPerEpisode: 10, robot: TestLogs.Robot(observations: 2, actions: 1));

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            [path, "  robot     sim:test", "  observes  q0 (rad), q1 (rad)", "  acts      tau0 (N*m)"],
            run.Stdout.Split('\n')[..4]);
        var robot = Assert.Single(run.Json.GetProperty("robots").EnumerateArray());
        Assert.Equal("sim:test", robot.GetProperty("name").GetString());
        Assert.Equal(["q0", "q1"], robot.GetProperty("observations").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal("rad", robot.GetProperty("observations")[0].GetProperty("unit").GetString());
        Assert.Equal(["tau0"], robot.GetProperty("actions").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal(0, robot.GetProperty("discrete_actions").GetArrayLength());
    }

    [Fact]
    public void Log_info_names_the_choices_of_a_robot_with_discrete_actions()
    {
        string path = _directory.File("cartpole.mcap");
        SimPolicies.Record("sim:cartpole", path, episodes: 1, seed: 3);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\n  robot     sim:cartpole\n", run.Stdout);
        Assert.Contains("\n  acts      one of push_left, push_right\n", run.Stdout);
        var robot = Assert.Single(run.Json.GetProperty("robots").EnumerateArray());
        Assert.Equal(["push_left", "push_right"], robot.GetProperty("discrete_actions").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public void Log_info_on_a_log_without_ticks_says_no_rate_was_recorded_and_names_the_robot_from_the_files_metadata()
    {
        string path = _directory.File("empty.mcap");
        TestLogs.Write(path, episodes: 0, stepsPerEpisode: 0);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\n  robot     sim:test (no episode recorded, so no observation or action names)\n", run.Stdout);
        Assert.Contains("\n  steps     0; rate: none recorded (0 ticks)\n", run.Stdout);
        Assert.DoesNotContain(" - Hz", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, run.Json.GetProperty("achieved_rate_hz").ValueKind);
        var robot = Assert.Single(run.Json.GetProperty("robots").EnumerateArray());
        Assert.Equal("sim:test", robot.GetProperty("name").GetString());
        Assert.Equal(0, robot.GetProperty("observations").GetArrayLength());
    }

    [Fact]
    public void Log_info_on_a_log_cut_before_its_first_episode_says_the_robot_was_not_recorded()
    {
        string path = _directory.File("cut.mcap");
        TestLogs.Write(path, episodes: 0, stepsPerEpisode: 0);
        var file = File.ReadAllBytes(path);
        // Cut where the close began: the metadata naming the robot is lost with the summary.
        long metadata = McapFileSurgery.Records(file).First(r => r.Opcode == McapOpcode.Metadata).Offset;
        File.WriteAllBytes(path, file[..(int)metadata]);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\n  robot     not recorded (no episode start in the log)\n", run.Stdout);
        Assert.Equal(0, run.Json.GetProperty("robots").GetArrayLength());
    }

    [Fact]
    public void Log_info_on_a_log_of_one_tick_gives_the_nominal_rate_and_no_achieved_one()
    {
        string path = _directory.File("one.mcap");
        TestLogs.Write(path, episodes: 1, stepsPerEpisode: 1);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\n  steps     1; rate: none recorded (1 tick; nominal 100 Hz)\n", run.Stdout);
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
    public void Log_recover_never_overwrites_an_existing_file_unless_forced()
    {
        string path = _directory.File("cut.mcap");
        TestLogs.Write(path, episodes: 2, stepsPerEpisode: 300, new TeleopLogWriterOptions { ChunkSizeBytes = 4096, SyncEachChunk = false });
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(McapFileSurgery.Chunks(path)[^1].Offset + 10)]);
        string existing = _directory.File("keep.mcap");
        TestLogs.Write(existing, episodes: 20, stepsPerEpisode: 5);
        var kept = File.ReadAllBytes(existing);

        var refused = CliRun.Of(TrainerCli.Build(), "log", "recover", path, "-o", existing);

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"error: {existing} already exists: recovery never overwrites a file (choose another output, or pass --force to replace it)", refused.Stderr.Trim());
        Assert.Equal(kept, File.ReadAllBytes(existing));

        var forced = CliRun.Of(TrainerCli.Build(), "log", "recover", path, "-o", existing, "--force");

        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(2, TeleopLogReader.Read(existing).Episodes.Count);
        Assert.Equal(["cut.mcap", "keep.mcap"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Log_recover_with_nothing_recoverable_writes_nothing_and_says_so_in_one_line()
    {
        string path = _directory.File("empty.mcap");
        TestLogs.Write(path, episodes: 2, stepsPerEpisode: 300, new TeleopLogWriterOptions { ChunkSizeBytes = 4096, SyncEachChunk = false });
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(McapFileSurgery.Chunks(path)[0].Offset + 30)]);
        string output = _directory.File("out.mcap");

        var run = CliRun.Of(TrainerCli.Build(), "log", "recover", path, "-o", output);

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"error: {path}: nothing to recover, so nothing was written: ", line);
        Assert.Equal(["empty.mcap"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("--no-chunk-index")]
    [InlineData("--no-chunks")]
    public void A_log_written_by_another_tool_without_a_chunk_index_or_chunks_is_read_whole(string mode)
    {
        string ours = _directory.File("ours.mcap");
        TestLogs.Write(ours, episodes: 3, stepsPerEpisode: 230);
        string foreign = _directory.File("foreign.mcap");
        NodeMcapCheck.Rewrite(ours, foreign, mode);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", foreign, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, run.Json.GetProperty("episodes").GetInt32());
        Assert.Equal(690, run.Json.GetProperty("steps").GetInt64());
        Assert.Equal(0, run.Json.GetProperty("unclosed_files").GetInt32());
        Assert.Equal("", run.Stderr);
        var log = TeleopLogReader.Read(foreign);
        Assert.Equal(690, log.StepCount);
        Assert.True(log.WasClosed);
    }

    [Fact]
    public void Log_info_warns_about_messages_on_a_topic_no_teleop_log_has_and_about_a_damaged_schema()
    {
        string source = _directory.File("source.mcap");
        TestLogs.Write(source, episodes: 3, stepsPerEpisode: 20);
        string renamed = _directory.File("renamed.mcap");
        Rewrite(source, renamed, topic => topic == TeleopTopics.EpisodeEnd ? "/episode+end" : topic, damageStepSchema: true);

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", renamed);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("incomplete 3", run.Stdout);
        Assert.Contains("ignored 3 messages on channel 3 ('/episode+end', schema 'robotics.log.v1.EpisodeEnd' (protobuf)): not a teleop log topic; its schema robotics.log.v1.EpisodeEnd belongs to /episode/end", run.Stderr);
        Assert.Contains("the schema of /step (robotics.log.v1.Step) holds no readable definition of robotics.log.v1.Step", run.Stderr);
    }

    [Fact]
    public void Training_data_from_a_log_with_messages_on_an_unknown_topic_carries_the_warning()
    {
        string source = _directory.File("source.mcap");
        TestLogs.Write(source, episodes: 2, stepsPerEpisode: 20);
        string renamed = _directory.File("renamed.mcap");
        Rewrite(source, renamed, topic => topic == TeleopTopics.EpisodeEnd ? "/episode+end" : topic, damageStepSchema: false);

        var demonstrations = DemonstrationLoader.Load([renamed], new DemonstrationFilter());

        var warning = Assert.Single(demonstrations.Warnings);
        Assert.StartsWith($"{renamed}: at byte ", warning);
        Assert.Contains("ignored 2 messages on channel 3 ('/episode+end'", warning);
    }

    /// <summary>Copies a log's messages into a new file with topics renamed and, optionally, the Step schema's data damaged.</summary>
    private static void Rewrite(string source, string target, Func<string, string> rename, bool damageStepSchema)
    {
        using var reader = McapIndexedReader.Open(source);
        using var writer = new McapWriter(File.Create(target));
        var channels = new Dictionary<ushort, ushort>();
        foreach (var channel in reader.Channels.Values.OrderBy(c => c.Id))
        {
            var schema = reader.Schemas[channel.SchemaId];
            byte[] data = schema.Data.ToArray();
            if (damageStepSchema && channel.Topic == TeleopTopics.Step)
            {
                data = [.. data[..10], 0xFF, 0xFF, 0xFF, .. data[13..]];
            }
            channels[channel.Id] = writer.AddChannel(writer.AddSchema(schema.Name, schema.Encoding, data), rename(channel.Topic), channel.MessageEncoding);
        }
        foreach (var message in reader.ReadMessages())
        {
            writer.WriteMessage(channels[message.ChannelId], message.Sequence, message.LogTime, message.PublishTime, message.Data.Span);
        }
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
