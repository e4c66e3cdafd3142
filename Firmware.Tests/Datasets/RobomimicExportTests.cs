using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Robotics.Controller.Policy;
using Robotics.Protos.Log;
using Robotics.Protos.Policy;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Datasets;

namespace Robotics.Tests.Datasets;

/// <summary>
/// <c>trainer log export LOGS... OUT.hdf5 --format robomimic</c>: read back by h5py the way robomimic loads a file for
/// low-dim BC, read back by the trainer's importer with every frame's source, and trained on to the policy the logs train.
/// </summary>
public sealed class RobomimicExportTests : IDisposable
{
    private const int Observations = 12;
    private const int Actions = 2;
    private const double Rate = 50;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>An episode of a test log: its id, outcome and each step's source.</summary>
    private sealed record Episode(ulong Id, EpisodeOutcome Outcome, ActionSource[] Sources);

    private static readonly ActionSource[] Mixed =
        [ActionSource.Teleop, ActionSource.Teleop, ActionSource.Policy, ActionSource.Policy, ActionSource.Override, ActionSource.Safety, ActionSource.Override, ActionSource.Unspecified];

    /// <summary>Two logs, seven episodes: succeeded and failed, all-teleop, mixed (every source), and one the policy drove alone.</summary>
    private static readonly (string File, Episode[] Episodes)[] Logs =
    [
        ("a.mcap", [
            new(1, EpisodeOutcome.Success, Repeat(ActionSource.Teleop, 12)),
            new(2, EpisodeOutcome.Failure, [.. Mixed, .. Mixed]),
            new(3, EpisodeOutcome.Success, Repeat(ActionSource.Policy, 10)),
            new(4, EpisodeOutcome.Aborted, [.. Mixed, ActionSource.Teleop]),
        ]),
        ("b.mcap", [
            new(1, EpisodeOutcome.Failure, Repeat(ActionSource.Teleop, 9)),
            new(2, EpisodeOutcome.Success, [.. Mixed, .. Mixed, .. Mixed]),
            new(5, EpisodeOutcome.Success, Repeat(ActionSource.Override, 11)),
        ]),
    ];

    private static ActionSource[] Repeat(ActionSource source, int count) => [.. Enumerable.Repeat(source, count)];

    /// <summary>Values of order 1 with each entry distinct, so that a column out of place shows.</summary>
    private static float Observation(string file, ulong episode, int tick, int index) => (file[0] - 'a') + episode / 8f + MathF.Sin(tick * 0.3f + index);

    private static float Action(string file, ulong episode, int tick, int index) => MathF.Cos(tick * 0.2f + index) - episode / 16f + (file[0] - 'a') / 4f;

    /// <summary>Override steps name their operator; the others are the episode's operator's (alice).</summary>
    private static string? Operator(ActionSource source) => source == ActionSource.Override ? "bob" : null;

    private static EpisodeInfo Robot(string name = "arm", IReadOnlyList<string>? discrete = null) => new(
        name,
        [.. Enumerable.Range(0, Observations).Select(i => new SignalSpec($"q{i}", "rad"))],
        discrete is null ? [.. Enumerable.Range(0, Actions).Select(i => new SignalSpec($"tau{i}", "N*m"))] : [new SignalSpec("choice", "index")],
        controlRateHz: Rate,
        discreteActions: discrete,
        task: "reach",
        @operator: "alice");

    private string WriteLog(string file, Episode[] episodes, EpisodeInfo? robot = null)
    {
        string path = _directory.File(file);
        robot ??= Robot();
        using var writer = TeleopLogWriter.Create(path, robot, new TeleopLogWriterOptions { SyncEachChunk = false });
        var observation = new float[robot.Observations.Count];
        var action = new float[robot.Actions.Count];
        long time = 1_000_000_000;
        foreach (var episode in episodes)
        {
            writer.BeginEpisode(episode.Id, time);
            for (int tick = 0; tick < episode.Sources.Length; tick++)
            {
                for (int i = 0; i < observation.Length; i++)
                {
                    observation[i] = Observation(file, episode.Id, tick, i);
                }
                for (int i = 0; i < action.Length; i++)
                {
                    action[i] = robot.DiscreteActions.Count > 0 ? tick % 2 : Action(file, episode.Id, tick, i);
                }
                writer.Append(new StepRecord
                {
                    TimestampNs = time,
                    EpisodeId = episode.Id,
                    Tick = (ulong)tick,
                    Observation = observation,
                    Action = action,
                    Source = episode.Sources[tick],
                    Operator = Operator(episode.Sources[tick]),
                });
                time += 20_000_000;
            }
            writer.EndEpisode(episode.Id, time, episode.Outcome, "");
        }
        return path;
    }

    private string[] WriteLogs() => [.. Logs.Select(log => WriteLog(log.File, log.Episodes))];

    private static CliRun Export(params string[] args) => CliRun.Of(TrainerCli.Build(), ["log", "export", .. args, "--format", "robomimic", "--json"]);

    /// <summary>The exported demos, in order: each log's episodes by id, the logs by path.</summary>
    private static (string File, Episode Episode)[] Demos => [.. Logs.SelectMany(log => log.Episodes.Select(e => (log.File, e)))];

    [Fact]
    public void H5py_reads_every_key_and_attribute_robomimic_needs_with_the_logs_values()
    {
        var logs = WriteLogs();
        string output = _directory.File("out.hdf5");

        var run = Export(logs[0], logs[1], output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(7, run.Json.GetProperty("demos").GetInt32());
        var file = JsonDocument.Parse(PythonScripts.Run("h5py", "read-robomimic.py", output)).RootElement;
        var envArgs = file.GetProperty("env_args");
        Assert.Equal("arm", envArgs.GetProperty("env_name").GetString());
        Assert.Equal(2, envArgs.GetProperty("type").GetInt32());
        Assert.Equal(Rate, envArgs.GetProperty("env_kwargs").GetProperty("control_freq").GetDouble());
        Assert.Equal(Demos.Sum(d => d.Episode.Sources.Length), file.GetProperty("total").GetInt64());
        var demos = file.GetProperty("demos").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"demo_{i}"), demos.Select(d => d.GetProperty("name").GetString()));
        string[] keys = [.. Enumerable.Range(0, Observations).Select(i => $"{i:00}_q{i}")];
        for (int d = 0; d < demos.Count; d++)
        {
            var (log, episode) = Demos[d];
            int n = episode.Sources.Length;
            var attrs = demos[d].GetProperty("attrs");
            var sets = demos[d].GetProperty("datasets");
            Assert.Equal(n, attrs.GetProperty("num_samples").GetInt64());
            Assert.Equal(OutcomeName(episode.Outcome), attrs.GetProperty("outcome").GetString());
            Assert.Equal(_directory.File(log), attrs.GetProperty("log_file").GetString());
            Assert.Equal((long)episode.Id, attrs.GetProperty("log_episode_id").GetInt64());
            Assert.Equal("reach", attrs.GetProperty("task").GetString());

            var actions = sets.GetProperty("actions");
            Assert.Equal("float32", actions.GetProperty("dtype").GetString());
            Assert.Equal([n, Actions], Ints(actions.GetProperty("shape")));
            Assert.Equal(["tau0", "tau1"], Strings(actions.GetProperty("attrs").GetProperty("names")));
            Assert.Equal(Enumerable.Range(0, n).Select(t => Enumerable.Range(0, Actions).Select(i => Action(log, episode.Id, t, i))), Rows(actions));
            Assert.Equal(keys, sets.EnumerateObject().Select(p => p.Name).Where(p => p.StartsWith("obs/", StringComparison.Ordinal)).Select(p => p[4..]).Order(StringComparer.Ordinal));
            for (int k = 0; k < Observations; k++)
            {
                var obs = sets.GetProperty($"obs/{keys[k]}");
                Assert.Equal("float32", obs.GetProperty("dtype").GetString());
                Assert.Equal([n, 1], Ints(obs.GetProperty("shape")));
                Assert.Equal([$"q{k}"], Strings(obs.GetProperty("attrs").GetProperty("names")));
                Assert.Equal(Enumerable.Range(0, n).Select(t => new[] { Observation(log, episode.Id, t, k) }), Rows(obs));
                Assert.Equal(Enumerable.Range(0, n).Select(t => new[] { Observation(log, episode.Id, Math.Min(t + 1, n - 1), k) }), Rows(sets.GetProperty($"next_obs/{keys[k]}")));
            }
            double[] rewards = [.. Enumerable.Range(0, n).Select(t => t == n - 1 && episode.Outcome == EpisodeOutcome.Success ? 1.0 : 0.0)];
            Assert.Equal(rewards, sets.GetProperty("rewards").GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal(Enumerable.Range(0, n).Select(t => t == n - 1 ? 1L : 0L), sets.GetProperty("dones").GetProperty("values").EnumerateArray().Select(v => v.GetInt64()));
            Assert.Equal(episode.Sources.Select(SourceName), Strings(sets.GetProperty("source").GetProperty("values")));
            Assert.Equal(episode.Sources.Select(s => (long)RobomimicMarkers.SiriusLabel(s)), sets.GetProperty("intv_labels").GetProperty("values").EnumerateArray().Select(v => v.GetInt64()));
            Assert.Equal(episode.Sources.Select(s => s == ActionSource.Override ? "bob" : "alice"), Strings(sets.GetProperty("operator").GetProperty("values")));
        }
        // The masks split the demos the trainer learns from (an expert step) and leave out demo_2, which the policy drove alone.
        var masks = file.GetProperty("masks");
        var train = Strings(masks.GetProperty("train"));
        var valid = Strings(masks.GetProperty("valid"));
        Assert.Equal(["demo_0", "demo_1", "demo_3", "demo_4", "demo_5", "demo_6"], train.Concat(valid).Order(StringComparer.Ordinal));
        Assert.Single(valid);
    }

    [Fact]
    public void The_importer_gives_back_each_frames_source_operator_and_the_outcome_and_names()
    {
        var logs = WriteLogs();
        string output = _directory.File("out.hdf5");
        Assert.Equal(0, Export(logs[0], logs[1], output).ExitCode);

        var file = RobomimicFile.Read(output, null);
        var episodes = RobomimicEpisodes.From(file);

        Assert.Equal(Enumerable.Range(0, Observations).Select(i => $"q{i}"), episodes[0].Start.Observations.Select(s => s.Name));
        Assert.Equal(["tau0", "tau1"], episodes[0].Start.Actions.Select(s => s.Name));
        // Every demo but demo_2, which the policy drove alone and the masks leave out.
        Assert.Equal([0UL, 1, 3, 4, 5, 6], episodes.Select(e => e.Id));
        foreach (var imported in episodes)
        {
            var (log, episode) = Demos[imported.Id];
            Assert.Equal(episode.Outcome, imported.Outcome);
            Assert.Equal(episode.Sources, imported.Steps.Select(s => s.Source));
            Assert.Equal(episode.Sources.Select(s => s == ActionSource.Override ? "bob" : "alice"), imported.Steps.Select(imported.OperatorOf));
            Assert.Equal(Enumerable.Range(0, Observations).Select(i => Observation(log, episode.Id, 3, i)), imported.Steps[3].Observation);
            Assert.Equal(Enumerable.Range(0, Actions).Select(i => Action(log, episode.Id, 3, i)), imported.Steps[3].Action);
        }
    }

    /// <remarks>
    /// Both runs see the same samples, split alike (the file's masks are the logs' seeded split), normalized alike, and
    /// gathered in the same order (a data split's sides follow the seed's shuffle, as the seeded split's do), so that
    /// mini-batches of 32 draw the same samples; the policy's source paths name the logs or the file.
    /// </remarks>
    [Fact]
    public void Training_on_the_export_gives_the_policy_training_on_the_logs_gives()
    {
        var logs = WriteLogs();
        string output = _directory.File("out.hdf5");
        Assert.Equal(0, Export(logs[0], logs[1], output).ExitCode);
        string fromLogs = _directory.File("logs.onnx");
        string fromFile = _directory.File("file.onnx");

        var onLogs = Train(fromLogs, logs);
        var onFile = Train(fromFile, [output]);

        Assert.True(onLogs.ExitCode == 0, onLogs.Stderr);
        Assert.True(onFile.ExitCode == 0, onFile.Stderr);
        Assert.Equal("seeded", onLogs.Json.GetProperty("split").GetString());
        Assert.Equal("masks", onFile.Json.GetProperty("split").GetString());
        foreach (string figure in new[] { "train_steps", "val_steps", "train_episodes", "val_episodes", "optimizer_steps" })
        {
            Assert.Equal(onLogs.Json.GetProperty(figure).GetInt64(), onFile.Json.GetProperty(figure).GetInt64());
        }
        // demo_2's 10 policy steps are skipped by the logs' run, and never read from the file, whose masks leave it out.
        Assert.Equal(onLogs.Json.GetProperty("skipped_non_expert").GetInt64(), onFile.Json.GetProperty("skipped_non_expert").GetInt64() + 10);
        Assert.Contains("left out 1 demos in neither mask/train nor mask/valid (robomimic trains on neither): demo_2", onFile.Stderr);
        Assert.Equal(onLogs.Json.GetProperty("composition").GetRawText(), onFile.Json.GetProperty("composition").GetRawText());
        Assert.Equal(onLogs.Json.GetProperty("val_mse").GetDouble(), onFile.Json.GetProperty("val_mse").GetDouble(), 1e-5);
        using (var a = new PolicyRunner(fromLogs))
        using (var b = new PolicyRunner(fromFile))
        {
            Assert.Equal(a.Metadata.Robot, b.Metadata.Robot);
            Assert.Equal(a.Metadata.ControlRateHz, b.Metadata.ControlRateHz);
            Assert.Equal(a.Metadata.ObservationNames, b.Metadata.ObservationNames);
            Assert.Equal(a.Metadata.ActionNames, b.Metadata.ActionNames);
        }
        using var logsSession = new InferenceSession(fromLogs);
        using var fileSession = new InferenceSession(fromFile);
        var random = new Random(7);
        for (int probe = 0; probe < 8; probe++)
        {
            float[] x = [.. Enumerable.Range(0, Observations).Select(_ => (float)(2 * random.NextDouble() - 1))];
            var expected = Mean(logsSession, x);
            var actual = Mean(fileSession, x);
            for (int i = 0; i < Actions; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"probe {probe}, action {i}: {expected[i]} from the logs, {actual[i]} from the file");
            }
        }
    }

    private static CliRun Train(string policy, string[] data) => CliRun.Of(TrainerCli.Build(),
        ["train", "--data", .. data, "--out", policy, "--hidden", "16", "--batch", "32", "--threads", "1", "--epochs", "4", "--patience", "0", "--json"]);

    private static float[] Mean(InferenceSession session, float[] observation)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(observation, [1, observation.Length]);
        using var results = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.MeanOutput]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void An_episode_without_steps_has_no_demo_and_a_warning_names_it()
    {
        string log = WriteLog("gaps.mcap", [
            new(1, EpisodeOutcome.Success, Repeat(ActionSource.Teleop, 5)),
            new(2, EpisodeOutcome.Aborted, []),
            new(3, EpisodeOutcome.Failure, Repeat(ActionSource.Teleop, 4)),
            new(4, EpisodeOutcome.Success, Repeat(ActionSource.Override, 6)),
            new(5, EpisodeOutcome.Success, Repeat(ActionSource.Teleop, 3)),
        ]);
        string output = _directory.File("gaps.hdf5");

        var run = Export(log, output);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"{log}: episode 2: no steps, so no demo", run.Stderr);
        Assert.Equal(1, run.Json.GetProperty("skipped_episodes").GetInt32());
        var demos = JsonDocument.Parse(PythonScripts.Run("h5py", "read-robomimic.py", output)).RootElement.GetProperty("demos").EnumerateArray().ToList();
        Assert.Equal(["demo_0", "demo_1", "demo_2", "demo_3"], demos.Select(d => d.GetProperty("name").GetString()));
        Assert.Equal([1L, 3, 4, 5], demos.Select(d => d.GetProperty("attrs").GetProperty("log_episode_id").GetInt64()));
    }

    [Fact]
    public void Logs_of_two_robots_are_one_error_naming_the_file_and_no_output_is_left()
    {
        string a = WriteLog("a.mcap", Logs[0].Episodes);
        string c = WriteLog("c.mcap", Logs[1].Episodes, Robot("other"));
        string output = _directory.File(Path.Combine("out", "robots.hdf5"));

        var run = Export(a, c, output);

        Assert.Equal(1, run.ExitCode);
        string error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{c}: episode 1: robot 'other' where episode 1 of {a}: a robomimic export holds one robot", error);
        Assert.Empty(Directory.GetFileSystemEntries(_directory.File("out")));
    }

    [Fact]
    public void A_discrete_action_log_is_one_error_naming_the_field_and_no_output_is_left()
    {
        string log = WriteLog("discrete.mcap", [new(1, EpisodeOutcome.Success, Repeat(ActionSource.Teleop, 6))], Robot(discrete: ["left", "right"]));
        string output = _directory.File(Path.Combine("out", "discrete.hdf5"));

        var run = Export(log, output);

        Assert.Equal(1, run.ExitCode);
        string error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{log}: episode 1: discrete_actions: robomimic has no place for a discrete action space's names", error);
        Assert.Empty(Directory.GetFileSystemEntries(_directory.File("out")));
    }

    [Fact]
    public void An_existing_output_is_refused_without_force_and_replaced_with_it()
    {
        var logs = WriteLogs();
        string output = _directory.File("out.hdf5");
        File.WriteAllText(output, "keep me");

        var refused = Export(logs[0], output);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{output}: exists and is not empty; --force replaces it", refused.Stderr);
        Assert.Equal("keep me", File.ReadAllText(output));

        var forced = Export(logs[0], output, "--force");

        Assert.True(forced.ExitCode == 0, forced.Stderr);
        // a.mcap's episodes; demo_2, which the policy drove alone, is in neither mask, which the importer leaves out.
        Assert.Equal(["demo_0", "demo_1", "demo_3"], RobomimicFile.Read(output, null).Demos.Select(d => d.Name));
        Assert.Equal([output], Directory.GetFileSystemEntries(_directory.Path).Where(p => p.Contains("out.hdf5", StringComparison.Ordinal)));
    }

    private static string OutcomeName(EpisodeOutcome outcome) => Robotics.Trainer.Data.OutcomeNames.Of(outcome);

    private static string SourceName(ActionSource source) => Robotics.Trainer.Logs.LogSummary.SourceName(source);

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt32())];

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetString()!)];

    private static IEnumerable<float[]> Rows(JsonElement dataset) =>
        dataset.GetProperty("values").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray());
}
