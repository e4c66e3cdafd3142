using System.Text.Json;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Datasets;

/// <summary>
/// <c>trainer log export --format lerobot</c>: the dataset read back by DuckDB, a reader that is not ours, matches
/// the logs it came from, and training on it gives the policy training on the logs gives.
/// </summary>
public sealed class LeRobotExportTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static readonly SyntheticExperts.LinearGaussian Expert = SyntheticExperts.LinearGaussian.Random(4, 2, seed: 11);

    /// <summary>In every third episode the policy drove ticks 10–19 and the safety layer tick 20: steps BC leaves out.</summary>
    private static ActionSource SourceOf(ulong episode, ulong tick) =>
        episode % 3 != 0 ? ActionSource.Teleop
        : tick is >= 10 and < 20 ? ActionSource.Policy
        : tick == 20 ? ActionSource.Safety
        : tick > 20 ? ActionSource.Override
        : ActionSource.Teleop;

    private static EpisodeOutcome OutcomeOf(ulong episode) => episode % 2 == 0 ? EpisodeOutcome.Success : EpisodeOutcome.Failure;

    /// <summary>Two logs of one robot: 6 and 4 episodes of 40 steps.</summary>
    private string[] Logs()
    {
        string a = _directory.File("logs/a.mcap");
        string b = _directory.File("logs/b.mcap");
        Directory.CreateDirectory(Path.GetDirectoryName(a)!);
        SyntheticExperts.WriteLinearGaussian(a, Expert, episodes: 6, steps: 40, seed: 1, SourceOf, OutcomeOf);
        SyntheticExperts.WriteLinearGaussian(b, Expert, episodes: 4, steps: 40, seed: 2, SourceOf, OutcomeOf);
        return [a, b];
    }

    private static CliRun Export(params string[] args) => CliRun.Of(TrainerCli.Build(), ["log", "export", .. args, "--json"]);

    [Fact]
    public void DuckDB_reads_every_frame_source_and_episode_of_the_logs_back()
    {
        var logs = Logs();
        string root = _directory.File("lerobot");

        var run = Export(logs[0], logs[1], root, "--format", "lerobot");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(10, run.Json.GetProperty("episodes").GetInt32());
        Assert.Equal(400, run.Json.GetProperty("frames").GetInt64());
        var steps = logs.SelectMany(log => TeleopLogReader.Read(log).Episodes.OrderBy(e => e.Id)).ToList();
        string data = NodeDuckDb.Literal(Path.Combine(root, "data", "*", "*.parquet"));
        string episodes = NodeDuckDb.Literal(Path.Combine(root, "meta", "episodes", "*", "*.parquet"));
        string tasks = NodeDuckDb.Literal(Path.Combine(root, "meta", "tasks.parquet"));
        var result = NodeDuckDb.Query(
            $"SELECT count(*)::INT AS frames, count(DISTINCT episode_index)::INT AS episodes, min(\"index\")::INT AS first, max(\"index\")::INT AS last, " +
            $"sum(list_sum(\"observation.state\"))::DOUBLE AS state, sum(list_sum(action))::DOUBLE AS action, " +
            $"max(abs(timestamp - frame_index / 50.0))::DOUBLE AS timing FROM read_parquet({data})",
            $"SELECT source, intervention, count(*)::INT AS n FROM read_parquet({data}) GROUP BY ALL ORDER BY ALL",
            $"SELECT episode_index::INT AS episode, length::INT AS length, success, outcome, dataset_from_index::INT AS from_index, " +
            $"dataset_to_index::INT AS to_index, tasks FROM read_parquet({episodes}) ORDER BY episode_index",
            $"SELECT task, task_index::INT AS task_index FROM read_parquet({tasks})");

        var totals = result[0][0];
        Assert.Equal(400, totals.GetProperty("frames").GetInt32());
        Assert.Equal(10, totals.GetProperty("episodes").GetInt32());
        Assert.Equal((0, 399), (totals.GetProperty("first").GetInt32(), totals.GetProperty("last").GetInt32()));
        Assert.Equal(steps.Sum(e => e.Steps.Sum(s => s.Observation.Sum(v => (double)v))), totals.GetProperty("state").GetDouble(), 6);
        Assert.Equal(steps.Sum(e => e.Steps.Sum(s => s.Action.Sum(v => (double)v))), totals.GetProperty("action").GetDouble(), 6);
        Assert.True(totals.GetProperty("timing").GetDouble() < 1e-6);

        var bySource = result[1].EnumerateArray().ToDictionary(r => r.GetProperty("source").GetString()!, r => (r.GetProperty("intervention").GetBoolean(), r.GetProperty("n").GetInt32()));
        var expected = steps.SelectMany(e => e.Steps).GroupBy(s => s.Source).ToDictionary(
            g => Robotics.Trainer.Logs.LogSummary.SourceName(g.Key), g => (g.Key is ActionSource.Teleop or ActionSource.Override, g.Count()));
        Assert.Equal(expected.OrderBy(p => p.Key), bySource.OrderBy(p => p.Key));

        var rows = result[2].EnumerateArray().ToList();
        Assert.Equal(10, rows.Count);
        for (int e = 0; e < rows.Count; e++)
        {
            Assert.Equal(e, rows[e].GetProperty("episode").GetInt32());
            Assert.Equal(40, rows[e].GetProperty("length").GetInt32());
            Assert.Equal((e * 40, e * 40 + 40), (rows[e].GetProperty("from_index").GetInt32(), rows[e].GetProperty("to_index").GetInt32()));
            Assert.Equal(steps[e].Outcome == EpisodeOutcome.Success, rows[e].GetProperty("success").GetBoolean());
            Assert.Equal(["unspecified"], rows[e].GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        }
        Assert.Equal("unspecified", result[3][0].GetProperty("task").GetString());

        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "meta", "info.json")));
        Assert.Equal("v3.0", info.RootElement.GetProperty("codebase_version").GetString());
        Assert.Equal(50, info.RootElement.GetProperty("fps").GetInt32());
        Assert.Equal(["x0", "x1", "x2", "x3"], info.RootElement.GetProperty("features").GetProperty("observation.state").GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        using var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "meta", "stats.json")));
        Assert.Equal(400, stats.RootElement.GetProperty("action").GetProperty("count")[0].GetInt32());
    }

    [Fact]
    public void Training_on_the_export_gives_the_policy_training_on_the_logs_gives()
    {
        var logs = Logs();
        string root = _directory.File("lerobot");
        Assert.True(Export(logs[0], logs[1], root, "--format", "lerobot") is { ExitCode: 0 }, "export failed");

        SamePolicy.From(_directory, [_directory.File("logs")], [root], observations: 4,
            "--hidden", "16", "--batch", "32", "--epochs", "3", "--patience", "0", "--threads", "1", "--seed", "5");
    }

    [Fact]
    public void Logs_a_LeRobot_dataset_cannot_hold_are_refused_naming_the_file_and_nothing_is_written()
    {
        var logs = Logs();
        string other = _directory.File("other.mcap");
        TestLogs.Write(other, episodes: 2, stepsPerEpisode: 10);
        string fractional = _directory.File("fractional.mcap");
        HostileTeleopLogs.Write(fractional, episodes: 1, steps: 10, start: e => HostileTeleopLogs.Start(e, rateHz: 12.5));
        string discrete = _directory.File("discrete.mcap");
        SyntheticExperts.WriteDiscrete(discrete, observations: 3, choices: 3, episodes: 2, steps: 10, seed: 1);
        string occupied = _directory.File("occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "keep.txt"), "mine");
        string empty = Directory.CreateDirectory(_directory.File("empty")).FullName;

        var cases = new (string[] Args, string Message)[]
        {
            ([logs[0], other, _directory.File("out1"), "--format", "lerobot"], $"{other}: episode 1: robot 'sim:test' where episode 1 of {logs[0]}"),
            ([fractional, _directory.File("out2"), "--format", "lerobot"], $"{fractional}: episode 1: control_rate_hz is 12.5"),
            ([discrete, _directory.File("out3"), "--format", "lerobot"], $"{discrete}: episode 1: discrete_actions"),
            ([logs[0], occupied, "--format", "lerobot"], $"{occupied}: exists and is not empty; --force replaces it"),
            ([empty, _directory.File("out4"), "--format", "lerobot"], $"{empty}: no .mcap files"),
            ([_directory.File("nowhere"), _directory.File("out5"), "--format", "lerobot"], $"{_directory.File("nowhere")}: no such file or directory"),
        };
        foreach (var (args, message) in cases)
        {
            var run = Export(args);
            Assert.Equal(1, run.ExitCode);
            Assert.True(run.Stderr.Contains(message), $"expected '{message}' in: {run.Stderr}");
            Assert.Single(run.Stderr.Trim().Split('\n'));
        }
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(occupied).Select(Path.GetFileName));
        // Nothing half-written beside the outputs either: no out folder, no staging sibling.
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_directory.Path), entry => Path.GetFileName(entry).StartsWith("out") || Path.GetFileName(entry).StartsWith('.'));
    }
}
