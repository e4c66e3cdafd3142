using System.Text.Json;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Datasets;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Datasets;

/// <summary>
/// <c>trainer log export --format parquet</c>: a fleet's logs as one step table partitioned by robot and day, which
/// DuckDB (a reader that is not ours) queries as it is, and which the trainer trains on, held or streamed.
/// </summary>
public sealed class StepTableExportTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>Two seconds before midnight (UTC): episode 1 starts on the Friday, the next ones on the Saturday.</summary>
    private static readonly DateTimeOffset Friday = new(2026, 11, 27, 23, 59, 58, TimeSpan.Zero);

    /// <summary>A log of <paramref name="robot"/> whose episodes started on <paramref name="day"/>; ticks 10–14 the policy drove, 15 the safety layer.</summary>
    private string Log(string name, string robot, DateTimeOffset day, int episodes, int observations = 3)
    {
        string path = _directory.File(Path.Combine("logs", name));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        HostileTeleopLogs.Write(path, episodes, steps: 30,
            start: e =>
            {
                var start = HostileTeleopLogs.Start(e, observations);
                start.Robot = robot;
                start.UnixTimeNs = (ulong)day.ToUnixTimeMilliseconds() * 1_000_000 + e * 1_000_000_000;
                start.Task = "stack";
                return start;
            },
            step: (e, tick) =>
            {
                var step = HostileTeleopLogs.Step(e, tick, observations);
                step.Source = tick is >= 10 and < 15 ? ActionSource.Policy : tick == 15 ? ActionSource.Safety : tick > 20 ? ActionSource.Override : ActionSource.Teleop;
                step.Flags = step.Source == ActionSource.Override ? (uint)StepFlag.Intervention : 0;
                step.Uncertainty = tick * 0.25f;
                step.HelpTriggers = tick % 3 == 0 ? (uint)HelpTrigger.Uncertainty : 0;
                return step;
            });
        return path;
    }

    private static CliRun Export(params string[] args) => CliRun.Of(TrainerCli.Build(), ["log", "export", .. args, "--json"]);

    [Fact]
    public void DuckDB_finds_every_robot_day_source_and_value_of_the_logs_in_the_partitions()
    {
        string[] logs =
        [
            Log("a.mcap", "sim:arm", Friday, episodes: 4),
            Log("b.mcap", "sim:arm", Friday.AddDays(1), episodes: 4),
            Log("c.mcap", "rover/2", Friday.AddDays(1), episodes: 3, observations: 5),
        ];
        string root = _directory.File("fleet");

        var run = Export([.. logs, root, "--format", "parquet"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal((11, 330L, 2, 5), (run.Json.GetProperty("episodes").GetInt32(), run.Json.GetProperty("steps").GetInt64(),
            run.Json.GetProperty("robots").GetInt32(), run.Json.GetProperty("partitions").GetInt32()));
        // An episode belongs to the day it started on, whatever log it is in.
        var episodes = logs.SelectMany(log => TeleopLogReader.Read(log).Episodes.OrderBy(e => e.Id)).ToList();
        string table = $"read_parquet({NodeDuckDb.Literal(Path.Combine(root, "**", "*.parquet"))}, hive_partitioning = true)";
        var result = NodeDuckDb.Query(
            $"SELECT robot, CAST(date AS VARCHAR) AS day, count(*)::INT AS steps, count(DISTINCT episode_index)::INT AS episodes FROM {table} GROUP BY ALL ORDER BY ALL",
            $"SELECT source, expert, count(*)::INT AS steps FROM {table} GROUP BY ALL ORDER BY ALL",
            $"SELECT sum(list_sum(observation))::DOUBLE AS observation, sum(list_sum(action))::DOUBLE AS action, " +
            $"count(*) FILTER (WHERE intervention)::INT AS interventions, min(episode_index)::INT AS first, max(episode_index)::INT AS last, " +
            $"sum(uncertainty)::DOUBLE AS uncertainty, count(*) FILTER (WHERE help_triggers = 1)::INT AS unsure FROM {table}",
            $"SELECT DISTINCT log_file, episode_id::INT AS episode_id, episode_index::INT AS episode_index, task, outcome FROM {table} ORDER BY episode_index");

        Assert.Equal(
            ["rover/2 2026-11-28 30 1", "rover/2 2026-11-29 60 2", "sim:arm 2026-11-27 30 1", "sim:arm 2026-11-28 120 4", "sim:arm 2026-11-29 90 3"],
            result[0].EnumerateArray().Select(r => $"{r.GetProperty("robot").GetString()} {r.GetProperty("day").GetString()} {r.GetProperty("steps").GetInt32()} {r.GetProperty("episodes").GetInt32()}"));
        var expected = episodes.SelectMany(e => e.Steps).GroupBy(s => s.Source).OrderBy(g => Robotics.Trainer.Logs.LogSummary.SourceName(g.Key), StringComparer.Ordinal)
            .Select(g => $"{Robotics.Trainer.Logs.LogSummary.SourceName(g.Key)} {g.Key is ActionSource.Teleop or ActionSource.Override} {g.Count()}");
        Assert.Equal(expected, result[1].EnumerateArray().Select(r => $"{r.GetProperty("source").GetString()} {r.GetProperty("expert").GetBoolean()} {r.GetProperty("steps").GetInt32()}"));
        var totals = result[2][0];
        Assert.Equal(episodes.Sum(e => e.Steps.Sum(s => s.Observation.Sum(v => (double)v))), totals.GetProperty("observation").GetDouble(), 6);
        Assert.Equal(episodes.Sum(e => e.Steps.Sum(s => s.Action.Sum(v => (double)v))), totals.GetProperty("action").GetDouble(), 6);
        Assert.Equal(episodes.Sum(e => e.Steps.Count(s => s.Source == ActionSource.Override)), totals.GetProperty("interventions").GetInt32());
        Assert.Equal((0, 10), (totals.GetProperty("first").GetInt32(), totals.GetProperty("last").GetInt32()));
        Assert.Equal(episodes.Sum(e => e.Steps.Sum(s => (double)s.Uncertainty)), totals.GetProperty("uncertainty").GetDouble(), 6);
        Assert.Equal(episodes.Sum(e => e.Steps.Count(s => s.HelpTriggers == (uint)HelpTrigger.Uncertainty)), totals.GetProperty("unsure").GetInt32());
        // Episodes numbered in the order training splits logs: path, then id.
        Assert.Equal(episodes.Select(e => $"{e.SourcePath}#{e.Id}"), result[3].EnumerateArray().Select(r => $"{r.GetProperty("log_file").GetString()}#{r.GetProperty("episode_id").GetInt32()}"));
        Assert.All(result[3].EnumerateArray(), r => Assert.Equal(("stack", "success"), (r.GetProperty("task").GetString(), r.GetProperty("outcome").GetString())));
        Assert.True(Directory.Exists(Path.Combine(root, "robot=rover%2F2", "date=2026-11-29")));
    }

    [Fact]
    public void A_robot_of_the_table_trains_the_policy_its_logs_train_held_in_memory_or_streamed()
    {
        string[] logs = [Log("a.mcap", "sim:arm", Friday, episodes: 6), Log("b.mcap", "sim:arm", Friday.AddDays(1), episodes: 5), Log("c.mcap", "rover", Friday, episodes: 3, observations: 5)];
        string root = _directory.File("fleet");
        Assert.True(Export([.. logs, root, "--format", "parquet"]) is { ExitCode: 0 }, "export failed");
        string arm = Path.Combine(root, StepTable.RobotPartition("sim:arm"));

        SamePolicy.From(_directory, [logs[0], logs[1]], [arm], observations: 3,
            "--hidden", "16", "--batch", "16", "--epochs", "3", "--patience", "0", "--threads", "1", "--seed", "4");

        var held = PolicyTraining.Prepare([arm], new TrainingConfig { Stream = StreamMode.Off, Seed = 4 });
        var streamed = PolicyTraining.Prepare([arm], new TrainingConfig { Stream = StreamMode.On, Seed = 4 });
        Assert.NotNull(streamed.Stream);
        Assert.Equal((held.TrainSteps, held.TrainEpisodes, held.Validation.Count, held.Source.SkippedNonExpert),
            (streamed.TrainSteps, streamed.TrainEpisodes, streamed.Validation.Count, streamed.Source.SkippedNonExpert));
        Assert.Equal(held.Normalization.ObservationMean, streamed.Normalization.ObservationMean, (x, y) => Math.Abs(x - y) <= 1e-5f);
    }

    [Fact]
    public void What_a_step_table_cannot_hold_or_train_is_refused_naming_it_and_nothing_is_written()
    {
        string a = Log("a.mcap", "sim:arm", Friday, episodes: 2);
        string rover = Log("r.mcap", "rover", Friday, episodes: 2, observations: 5);
        string renamed = Log("z.mcap", "sim:arm", Friday, episodes: 1, observations: 4);
        string cut = _directory.File("logs/cut.mcap");
        File.WriteAllBytes(cut, File.ReadAllBytes(a)[..(int)(new FileInfo(a).Length / 2)]);
        string fleet = _directory.File("fleet");
        Assert.True(Export(a, rover, fleet, "--format", "parquet") is { ExitCode: 0 }, "export failed");

        var refusals = new (CliRun Run, string Message)[]
        {
            (Export(a, renamed, _directory.File("out1"), "--format", "parquet"), $"{renamed}: episode 1: observations differ from an earlier episode of robot 'sim:arm'"),
            (Export(a, cut, _directory.File("out2"), "--format", "parquet"), cut),
            (CliRun.Of(TrainerCli.Build(), "train", "--data", fleet, "--out", _directory.File("out3.onnx")), $"{fleet}: holds the steps of 2 robots (sim:arm, rover)"),
        };
        // A manifest damaged after the export: training names it and what is wrong, and writes no policy.
        string damaged = _directory.File("damaged");
        Assert.True(Export(a, damaged, "--format", "parquet") is { ExitCode: 0 }, "export failed");
        string manifest = Path.Combine(damaged, StepTable.Manifest);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"control_rate_hz\"", "\"rate\""));
        refusals = [.. refusals, (CliRun.Of(TrainerCli.Build(), "train", "--data", damaged, "--out", _directory.File("out4.onnx")), $"{manifest}: a robot without control_rate_hz")];
        foreach (var (run, message) in refusals)
        {
            Assert.Equal(1, run.ExitCode);
            Assert.True(run.Stderr.Contains(message), $"expected '{message}' in: {run.Stderr}");
            Assert.Single(run.Stderr.Trim().Split('\n'));
        }
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_directory.Path), e => Path.GetFileName(e).StartsWith("out") || Path.GetFileName(e).StartsWith('.'));
    }
}
