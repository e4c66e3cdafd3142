using Robotics.Controller.Cli;
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
    public void Run_in_autonomous_mode_reports_latency_percentiles()
    {
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--policy", policies.Reach, "--duration", "1s", "--no-realtime", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        Assert.InRange(json.GetProperty("ticks").GetInt64(), 95, 101);
        Assert.True(json.GetProperty("inference_us").GetProperty("p50").GetDouble() > 0);
        Assert.True(json.GetProperty("lateness_us").GetProperty("p99").GetDouble() > 0);
        Assert.Contains("inference  p50", run.Stdout);
    }

    [Theory]
    [InlineData("no stop", "say when to stop: --episodes N or --duration 30s", "run", "--robot", "sim:reach", "--mode", "teleop")]
    [InlineData("no policy", "needs a policy (--policy)", "run", "--robot", "sim:reach", "--episodes", "1")]
    [InlineData("unknown simulator", "no simulator 'sim:walker'; there are sim:reach, sim:cartpole", "run", "--robot", "sim:walker", "--episodes", "1")]
    [InlineData("bad duration", "--duration: 'soon' is not a duration", "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "soon")]
    [InlineData("missing policy", "no such policy file", "run", "--robot", "sim:reach", "--policy", "/nowhere/policy.onnx", "--episodes", "1")]
    [InlineData("calibrate what", "say what to calibrate: --zero or --range SECONDS", "calibrate", "--robot", "robot.json")]
    [InlineData("calibrate a missing file", "no such robot config file", "calibrate", "--robot", "/nowhere/robot.json", "--zero")]
    [InlineData("a duration beyond TimeSpan", "--duration: '1e308s' is longer than the longest duration taken, 36500 days", "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "1e308s")]
    [InlineData("a duration beyond a long", "--duration: '99999999999999999999h' is longer than the longest duration taken", "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "99999999999999999999h")]
    [InlineData("a stale window beyond TimeSpan", "--stale-after: '1e308s' is longer than the longest duration taken", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--stale-after", "1e308s")]
    [InlineData("a NaN help z", "--help-z: must be a positive number of training standard deviations, got NaN", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-z", "NaN")]
    [InlineData("help never", "--help-ticks: must be 1 or more consecutive ticks, got 0", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-ticks", "0")]
    [InlineData("a negative help threshold", "--help-threshold: must be a positive uncertainty, got -1", "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--help-threshold", "-1")]
    public void Run_refuses_bad_requests_with_one_line(string why, string message, params string[] args)
    {
        var run = CliRun.Of(ControllerCli.Build(), args);

        Assert.True(run.ExitCode != 0, why);
        Assert.Contains(message, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_policy_that_does_not_fit_stops_run_before_the_loop()
    {
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--policy", policies.CartPole, "--episodes", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: {policies.CartPole} does not fit sim:reach", run.Stderr);
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
        Assert.InRange(json.GetProperty("ticks").GetInt64(), 450, 501);
        Assert.True(json.TryGetProperty("overruns", out _));
        Assert.Equal(0, json.GetProperty("allocated_bytes_per_tick").GetDouble());
    }
}
