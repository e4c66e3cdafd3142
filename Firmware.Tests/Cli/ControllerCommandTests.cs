using System.Text.Json;
using Robotics.Controller.Cli;
using Robotics.Controller.Loop;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.Cli;

[Collection(nameof(SimPolicies))]
public sealed class ControllerCommandTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Run_in_teleop_mode_records_the_expert_and_reports_the_episodes()
    {
        string log = _directory.File("cartpole.mcap");

        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:cartpole", "--mode", "teleop", "--episodes", "3", "--unpaced", "--no-realtime", "--record", log, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("episode 3: success", run.Stdout);
        var json = run.Json;
        Assert.Equal(3, json.GetProperty("episodes").GetInt64());
        Assert.Equal(1.0, json.GetProperty("success_rate").GetDouble());
        Assert.Equal(1500, json.GetProperty("ticks").GetInt64());
        Assert.Equal(3, TeleopLogReader.Read(log).Episodes.Count);
    }

    [Fact]
    public void Run_without_a_policy_lets_the_operator_drive()
    {
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:cartpole", "--episodes", "1", "--unpaced", "--no-realtime", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("in teleop mode", run.Stdout);
        Assert.Equal("teleop", run.Json.GetProperty("mode").GetString());
    }

    [Fact]
    public void Run_in_autonomous_mode_reports_latency_percentiles()
    {
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--policy", policies.Reach, "--duration", "1s", "--no-realtime", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        // A paced loop never ticks more than its rate allows; how many fewer it ticks depends on the machine's load
        // (skipped deadlines), which is a benchmark's question, not this test's.
        Assert.InRange(json.GetProperty("ticks").GetInt64(), 1, 101);
        Assert.True(json.GetProperty("inference_us").GetProperty("p50").GetDouble() > 0);
        Assert.True(json.GetProperty("lateness_us").GetProperty("p99").GetDouble() > 0);
        Assert.Contains("inference  p50", run.Stdout);
    }

    [Theory]
    [InlineData("no stop", "say when to stop: --episodes N, --duration 30s, or --until-stopped (a service: until SIGTERM)", "run", "--robot", "sim:reach", "--mode", "teleop")]
    [InlineData("two stops", "--until-stopped: runs until a signal stops it; leave out --episodes and --duration", "run", "--robot", "sim:reach", "--mode", "teleop", "--until-stopped", "--duration", "10s")]
    [InlineData("no policy", "needs a policy (--policy)", "run", "--robot", "sim:reach", "--mode", "autonomous", "--episodes", "1")]
    [InlineData("unknown simulator", "no simulator 'sim:walker'; there are sim:reach, sim:cartpole, sim:detour, sim:lane", "run", "--robot", "sim:walker", "--episodes", "1")]
    [InlineData("bad duration", "--duration: 'soon' is not a duration", "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "soon")]
    [InlineData("missing policy", "no such policy file", "run", "--robot", "sim:reach", "--policy", "/nowhere/policy.onnx", "--episodes", "1")]
    [InlineData("calibrate what", "say what to calibrate: --zero or --range SECONDS", "calibrate", "--robot", "robot.json")]
    [InlineData("calibrate a missing file", "no such robot config file", "calibrate", "--robot", "/nowhere/robot.json", "--zero")]
    [InlineData("a duration beyond TimeSpan", "--duration: '1e308s' is longer than the longest duration taken, 36500 days", "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "1e308s")]
    [InlineData("a duration beyond a long", "--duration: '99999999999999999999h' is longer than the longest duration taken", "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "99999999999999999999h")]
    [InlineData("a stale window beyond TimeSpan", "--stale-after: '1e308s' is longer than the longest duration taken", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--stale-after", "1e308s")]
    [InlineData("a NaN help z", "--help-z: 'NaN' is not a finite number", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-z", "NaN")]
    [InlineData("help never", "--help-ticks: must be 1 or more consecutive ticks, got 0", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-ticks", "0")]
    [InlineData("a zero help z", "--help-z: must be a positive number of training standard deviations, got 0", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-z", "0")]
    [InlineData("a negative help threshold", "--help-threshold: must be a positive uncertainty, got -1", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-threshold", "-1")]
    public void Run_refuses_bad_requests_with_one_line(string why, string message, params string[] args)
    {
        var run = CliRun.Of(ControllerCli.Build(), args);

        Assert.True(run.ExitCode != 0, why);
        Assert.Contains(message, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    /// <summary>Arguments a careless or hostile user gives, each refused as one line naming the option, in plain words.</summary>
    [Theory]
    [InlineData("--rate", "--rate: 'abc' is not a finite number", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--rate", "abc")]
    [InlineData("--rate", "--rate: 'NaN' is not a finite number", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--rate", "NaN")]
    [InlineData("--rate", "--rate: '' is not a finite number", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--rate", "")]
    [InlineData("--rate", "--rate: must be between 10 and 2000 Hz, got -5", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--rate", "-5")]
    [InlineData("--rate", "--rate: must be between 10 and 2000 Hz, got 1E+308", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--rate", "1e308")]
    [InlineData("--episodes", "--episodes: must be 0 (no limit) or more, got -1", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "-1")]
    [InlineData("--episodes", "--episodes: '99999999999' is not a whole number", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "99999999999")]
    [InlineData("--priority", "--priority: must be between 1 and 99, got 1000", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--priority", "1000")]
    [InlineData("--seed", "--seed: 'x' is not a whole number", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--seed", "x")]
    [InlineData("--record", "--record: got an empty value; give a name or a path", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--record", "")]
    [InlineData("--record", "--record: /nowhere: no such folder", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--record", "/nowhere/x.mcap")]
    [InlineData("--policy", "--policy: got an empty value; give a name or a path", "run", "--robot", "sim:reach", "--episodes", "1", "--policy", "")]
    [InlineData("--robot", "--robot: got an empty value; give a name or a path", "run", "--robot", "", "--episodes", "1")]
    [InlineData("--mode", "--mode: 'fly' is not one of autonomous, teleop, shadow", "run", "--robot", "sim:reach", "--mode", "fly", "--episodes", "1")]
    [InlineData("--fallback", "--fallback: 'x' is not one of safe, policy", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--fallback", "x")]
    [InlineData("--help-z", "--help-z: 'Infinity' is not a finite number", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-z", "Infinity")]
    [InlineData("--token-file", "--token-file: /nowhere/token: no such file", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--grpc", "http://127.0.0.1:0", "--token-file", "/nowhere/token")]
    [InlineData("--tls-cert", "--tls-cert: /nowhere/c.pem: no such file", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--grpc", "https://127.0.0.1:0", "--token", "0123456789", "--tls-cert", "/nowhere/c.pem", "--tls-key", "/nowhere/k.pem")]
    [InlineData("--tls-ca", "--tls-ca: /nowhere/ca.pem: no such file", "telemetry", "--connect", "https://127.0.0.1:1", "--tls-ca", "/nowhere/ca.pem")]
    [InlineData("--seconds", "--seconds (0: until Ctrl+C): must be more than 0 and at most 2592000 seconds, got 1E+308", "telemetry", "--connect", "http://127.0.0.1:1", "--seconds", "1e308")]
    [InlineData("--rate", "--rate: must be 0 (every tick) or a positive number of frames per second, got -1", "telemetry", "--connect", "http://127.0.0.1:1", "--rate", "-1")]
    [InlineData("--rate", "--rate: must be more than 0 and at most 1000 commands per second, got 0", "override", "--connect", "http://127.0.0.1:1", "--token", "t", "--rate", "0")]
    [InlineData("--source", "--source: /nowhere/s.txt: no such script file", "override", "--connect", "http://127.0.0.1:1", "--token", "t", "--source", "script:/nowhere/s.txt")]
    [InlineData("--range", "--range: must be more than 0 and at most 3600 seconds, got 1E+308", "calibrate", "--robot", "/nowhere/robot.json", "--range", "1e308")]
    [InlineData("--range", "--range: '' is not a finite number", "calibrate", "--robot", "/nowhere/robot.json", "--range", "")]
    [InlineData("--seconds", "--seconds: must be more than 0 and at most 3153600000 seconds, got -1", "bench", "--policy", "/nowhere/p.onnx", "--seconds", "-1")]
    [InlineData("--steps", "--steps: must be from 1 to 1000000000", "bench", "log", "--steps", "-1")]
    [InlineData("--observations", "--observations: must be from 1 to 65536", "bench", "log", "--observations", "-1")]
    [InlineData("--baud", "--baud: must be from 1 to 4000000", "bench", "servos", "--baud", "0")]
    [InlineData("--quiet-seconds", "--quiet-seconds: must be more than 0 and at most 86400 seconds, got 1E+308", "bench", "grpc", "--policy", "p.onnx", "--quiet-seconds", "1e308")]
    public void Bad_arguments_are_refused_in_one_plain_line_naming_the_option(string option, string message, params string[] args)
    {
        var run = CliRun.Of(ControllerCli.Build(), args);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: " + message, run.Stderr.Trim()[..Math.Min(run.Stderr.Trim().Length, message.Length + 7)]);
        PlainError.Check(run.Stderr, option);
    }

    [Fact]
    public void A_file_given_to_record_into_is_never_replaced()
    {
        string log = _directory.File("kept.mcap");
        File.WriteAllText(log, "an earlier recording");

        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--unpaced", "--no-realtime", "--record", log);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: --record: {log} already exists: it is never replaced (choose a new name)", run.Stderr.Trim());
        Assert.Equal("an earlier recording", File.ReadAllText(log));
    }

    [Fact]
    public void A_folder_given_to_record_into_gets_a_new_recording_named_by_the_robot_and_the_start()
    {
        // A service's recordings folder: every start records into a file of its own.
        string folder = _directory.File("logs");
        Directory.CreateDirectory(folder);

        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--unpaced", "--no-realtime", "--record", folder);

        Assert.True(run.ExitCode == 0, run.Stderr);
        string recording = Assert.Single(Directory.GetFiles(folder));
        Assert.Matches(@"^sim-reach-\d{8}T\d{6}Z\.mcap$", Path.GetFileName(recording));
        Assert.Contains($"recording to {recording}", run.Stdout, StringComparison.Ordinal);
        Assert.True(TeleopLogReader.Read(recording).WasClosed);
    }

    [Fact]
    public void A_policy_that_does_not_fit_stops_run_before_the_loop()
    {
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--policy", policies.CartPole, "--episodes", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: {policies.CartPole} does not fit sim:reach", run.Stderr);
    }

    [Fact]
    public async Task Override_with_a_wrong_token_reports_the_refusal_every_time()
    {
        var robot = new ScriptedRobot();
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2) };
        await using var harness = await RobotHarness.StartAsync(robot, options, @operator: new ConstantOperator(1));
        string script = _directory.File("hold.txt");
        File.WriteAllText(script, "0 1.5\n");

        // The server refuses the stream as it opens; a client that wrote its TakeOver first raced that refusal and,
        // when it lost (more often on a loaded machine), said "Cancelled". Many runs, so that losing it would show.
        for (int i = 0; i < 40; i++)
        {
            var run = await Task.Run(() => CliRun.Of(ControllerCli.Build(), "override",
                "--connect", harness.Server.Address.ToString(), "--token", "not-the-robot-token", "--source", "script:" + script, "--seconds", "1"));

            Assert.Equal((2, "error: PermissionDenied: /robotics.control.v1.Override/Drive: wrong token"), (run.ExitCode, run.Stderr.Trim()));
        }
        Assert.False(harness.Loop.Overrides.Held);
    }

    [Fact]
    public void Bench_times_the_loop_and_bare_inference_on_a_null_robot()
    {
        var run = CliRun.Of(ControllerCli.Build(), "bench", "--policy", policies.Reach, "--rate", "500", "--seconds", "1", "--no-realtime", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        foreach (string figure in new[] { "inference_us", "lateness_us", "bare_inference_us", "work_us" })
        {
            foreach (string statistic in new[] { "p50", "p99", "p999", "max" })
            {
                Assert.True(json.GetProperty(figure).GetProperty(statistic).GetDouble() >= 0, $"{figure}.{statistic}");
            }
        }
        // At most the second's 500 slots; how many a busy machine skips is the verdict's business, not this test's.
        Assert.InRange(json.GetProperty("ticks").GetInt64(), 1, 501);
        Assert.True(json.TryGetProperty("overruns", out _));
        Assert.Equal(0, json.GetProperty("allocated_bytes_per_tick").GetDouble());
    }

    [Fact]
    public void Bench_grpc_takes_about_a_minute_unless_asked_for_a_soak()
    {
        // README's `bench grpc --policy reach.onnx` used to run 60 + 600 + 60 s without saying so.
        var parse = ControllerCli.Build().Parse(["bench", "grpc", "--policy", "reach.onnx"]);

        double seconds = 2 * parse.GetValue<double>("--quiet-seconds") + parse.GetValue<double>("--soak-seconds");

        Assert.InRange(seconds, 30, 90);
        Assert.Contains("(10 + 40 + 10 s by default)", parse.CommandResult.Command.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_says_what_its_figures_mean_for_a_robot_and_leaves_out_what_a_null_robot_cannot_tell()
    {
        var run = CliRun.Of(ControllerCli.Build(), "bench", "--policy", policies.Reach, "--rate", "500", "--seconds", "1", "--no-realtime", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        // A verdict for the rate measured and the common ones; faster than measured is not judged. Whether this machine is
        // fit right now depends on its load, so only the shape is checked here (LoopFitnessTests checks the rule).
        var lines = run.Stdout.Split('\n');
        Assert.Single(lines, l => l.StartsWith("fit for 1 kHz: not judged — this run was at 500 Hz", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("fit for 500 Hz: yes — ", StringComparison.Ordinal) || l.StartsWith("fit for 500 Hz: no — ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("fit for 100 Hz: yes — ", StringComparison.Ordinal) || l.StartsWith("fit for 100 Hz: no — ", StringComparison.Ordinal));
        var verdict = run.Json.GetProperty("verdict").EnumerateArray().ToList();
        Assert.Equal([1000.0, 500.0, 100.0], verdict.Select(v => v.GetProperty("rate_hz").GetDouble()));
        Assert.Equal(JsonValueKind.Null, verdict[0].GetProperty("fit").ValueKind);
        Assert.All(verdict[1..], v => Assert.Contains(v.GetProperty("fit").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False }));
        // A null robot's one episode is aborted at the end and it records nothing: no success rate, no recorder.
        Assert.DoesNotContain("success", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("episode", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("recorder", run.Stdout, StringComparison.Ordinal);
        Assert.False(run.Json.TryGetProperty("success_rate", out _));
        Assert.False(run.Json.TryGetProperty("episodes", out _));
    }
}
