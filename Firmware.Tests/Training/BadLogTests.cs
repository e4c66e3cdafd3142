using Robotics.Protos.Log;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Training;

/// <summary>
/// Logs a damaged or foreign recorder could write: `trainer train` refuses each before training, with one line
/// naming the file (and the episode where it applies) and what is wrong, and writes nothing.
/// </summary>
public sealed class BadLogTests : IDisposable
{
    private const int Episodes = 5;
    private const int Steps = 20;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>Each case: how to write the log, and what the error must say after the file's name.</summary>
    private static readonly Dictionary<string, (Action<string> Write, string Error)> Logs = new()
    {
        ["NaN rate"] = (path => WithStart(path, e => HostileTeleopLogs.Start(e, rateHz: double.NaN)),
            "episode 1: its control rate is NaN Hz; it must be a positive number of hertz"),
        ["negative rate"] = (path => WithStart(path, e => HostileTeleopLogs.Start(e, rateHz: -50)),
            "episode 1: its control rate is -50 Hz; it must be a positive number of hertz"),
        ["zero rate"] = (path => WithStart(path, e => HostileTeleopLogs.Start(e, rateHz: 0)),
            "episode 1: its control rate is 0 Hz; it must be a positive number of hertz"),
        ["infinite rate"] = (path => WithStart(path, e => HostileTeleopLogs.Start(e, rateHz: double.PositiveInfinity)),
            "episode 1: its control rate is Infinity Hz; it must be a positive number of hertz"),
        ["a rate that changes between episodes"] = (path => WithStart(path, e => HostileTeleopLogs.Start(e, rateHz: e == 3 ? 100 : 50)),
            "episodes disagree on the robot's control rate: 50 Hz vs 100 Hz: episode 1 of {0} and episode 3 of {0}"),
        ["no observations"] = (path => HostileTeleopLogs.Write(path, Episodes, Steps, e => HostileTeleopLogs.Start(e, observations: 0), (e, t) => HostileTeleopLogs.Step(e, t, observations: 0)),
            "episode 1: it has 0 observations; the trainer takes 1 to 4096"),
        ["a million observations"] = (path => HostileTeleopLogs.Write(path, Episodes, 1, e => HostileTeleopLogs.Start(e, observations: 1_000_000), (e, t) => HostileTeleopLogs.Step(e, t, observations: 1_000_000)),
            "episode 1: it has 1000000 observations; the trainer takes 1 to 4096"),
        ["no actions"] = (path => HostileTeleopLogs.Write(path, Episodes, Steps, e => HostileTeleopLogs.Start(e, actions: 0), (e, t) => HostileTeleopLogs.Step(e, t, actions: 0)),
            "episode 1: it has 0 actions; the trainer takes 1 to 256"),
        ["a thousand actions"] = (path => HostileTeleopLogs.Write(path, Episodes, Steps, e => HostileTeleopLogs.Start(e, actions: 1000), (e, t) => HostileTeleopLogs.Step(e, t, actions: 1000)),
            "episode 1: it has 1000 actions; the trainer takes 1 to 256"),
        ["one discrete action"] = (path => HostileTeleopLogs.Write(path, Episodes, Steps, e => Discrete(HostileTeleopLogs.Start(e, actions: 1), "only"), (e, t) => Label(HostileTeleopLogs.Step(e, t, actions: 1))),
            "episode 1: it has 1 discrete actions; the trainer takes 2 to 1024"),
        ["discrete actions with two action entries"] = (path => WithStart(path, e => Discrete(HostileTeleopLogs.Start(e), "left", "right")),
            "episode 1: it has 2 discrete actions and 2 action entries; a discrete action space records exactly one, the chosen index"),
        ["an observation without a name"] = (path => WithStart(path, e => Renamed(HostileTeleopLogs.Start(e), 1, "")),
            "episode 1: its observation 1 has no name; the policy matches entries to the robot's by name"),
        ["an observation name twice"] = (path => WithStart(path, e => Renamed(HostileTeleopLogs.Start(e), 2, "x0")),
            "episode 1: its observation name 'x0' appears twice; the policy matches entries to the robot's by name"),
        ["observation sizes that differ between episodes"] = (path => HostileTeleopLogs.Write(path, Episodes, Steps,
                e => HostileTeleopLogs.Start(e, observations: e == 2 ? 4 : 3), (e, t) => HostileTeleopLogs.Step(e, t, observations: e == 2 ? 4 : 3)),
            "episodes disagree on the robot's observations: 3 vs 4: episode 1 of {0} and episode 2 of {0}"),
        ["a step whose size differs from its episode's"] = (path => HostileTeleopLogs.Write(path, Episodes, Steps, null,
                (e, t) => HostileTeleopLogs.Step(e, t, observations: e == 2 && t == 7 ? 5 : 3)),
            "step 7 of episode 2 has 5 observations and 2 actions; its episode declares 3 and 2"),
        ["zero steps"] = (path => HostileTeleopLogs.Write(path, Episodes, 0),
            "no expert steps to learn from in {0}: 5 episodes"),
        ["only steps with NaN or infinity"] = (path => HostileTeleopLogs.Write(path, Episodes, Steps, null, (e, t) => Poisoned(HostileTeleopLogs.Step(e, t))),
            "no expert steps to learn from in {0}: 5 episodes, 0 left out as unsuccessful, 0 steps from the policy or the safety layer, 100 with NaN or infinity"),
    };

    public static TheoryData<string> Cases => [.. Logs.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Train_refuses_the_log_in_one_line_and_writes_nothing(string name)
    {
        var (write, error) = Logs[name];
        string log = _directory.File("bad.mcap");
        write(log);
        string policy = _directory.File("policy.onnx");
        byte[] earlier = [1, 2, 3];
        File.WriteAllBytes(policy, earlier);

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", log, "--out", policy, "--hidden", "8", "--epochs", "1", "--batch", "16", "--threads", "1");

        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(log, line);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, error, log), line);
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotContain("(Parameter", line);
        Assert.Equal(earlier, File.ReadAllBytes(policy));
        Assert.False(Directory.Exists(_directory.File("policy.run")), "a refused log leaves no run folder");
        Assert.False(File.Exists(policy + ".partial"));
    }

    [Fact]
    public void Steps_with_NaN_or_infinity_are_skipped_and_the_warning_says_where_the_first_was()
    {
        string log = _directory.File("glitch.mcap");
        HostileTeleopLogs.Write(log, Episodes, Steps, null, (e, t) => e == 2 && t is 4 or 9 ? Poisoned(HostileTeleopLogs.Step(e, t)) : HostileTeleopLogs.Step(e, t));
        string policy = _directory.File("policy.onnx");

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", log, "--out", policy, "--hidden", "8", "--epochs", "1", "--threads", "1", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        string line = Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Equal($"warning: skipped 2 steps with NaN or infinity in their observation or action (the first: {log}, episode 2, tick 4)", line);
        Assert.Equal(2, run.Json.GetProperty("skipped_non_finite").GetInt64());
        Assert.True(File.Exists(policy));
    }

    [Fact]
    public void Log_info_prints_a_log_with_a_NaN_rate_with_null_for_it_and_says_train_refuses_it()
    {
        string log = _directory.File("nan-rate.mcap");
        WithStart(log, e => HostileTeleopLogs.Start(e, rateHz: e == 2 ? double.NaN : 50));

        var run = CliRun.Of(TrainerCli.Build(), "log", "info", log, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal($"warning: {log}: `trainer train` refuses 1 of its 5 episodes; the first, episode 2: its control rate is NaN Hz; it must be a positive number of hertz",
            Assert.Single(run.Stderr.Trim().Split('\n')));
        var rates = run.Json.GetProperty("nominal_rates_hz").EnumerateArray().Select(r => r.ValueKind == System.Text.Json.JsonValueKind.Null ? "null" : r.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["50", "null"], rates.Order());
        Assert.Equal(5, run.Json.GetProperty("episodes").GetInt32());
    }

    private static void WithStart(string path, Func<ulong, EpisodeStart> start) => HostileTeleopLogs.Write(path, Episodes, Steps, start);

    private static EpisodeStart Discrete(EpisodeStart start, params string[] names)
    {
        start.DiscreteActions.AddRange(names);
        return start;
    }

    private static Step Label(Step step)
    {
        step.Action[0] = 0;
        return step;
    }

    private static EpisodeStart Renamed(EpisodeStart start, int observation, string name)
    {
        start.Observations[observation].Name = name;
        return start;
    }

    private static Step Poisoned(Step step)
    {
        step.Observation[1] = float.NaN;
        step.Action[0] = float.PositiveInfinity;
        return step;
    }
}
