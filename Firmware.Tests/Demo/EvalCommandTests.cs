using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Demo;

[Collection(nameof(SimPolicies))]
public sealed class EvalCommandTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_expert_baseline_succeeds_and_the_same_seed_gives_the_same_figures()
    {
        string[] args = ["eval", "--expert", "--robot", "sim:reach", "--episodes", "8", "--seed", "5", "--json"];

        var first = CliRun.Of(TrainerCli.Build(), args);
        var second = CliRun.Of(TrainerCli.Build(), args);

        Assert.True(first.ExitCode == 0, first.Stderr);
        var json = first.Json;
        Assert.Equal(8, json.GetProperty("episodes").GetInt32());
        Assert.True(json.GetProperty("success_rate").GetDouble() >= 0.75);
        Assert.Equal(0, json.GetProperty("interventions").GetInt32());
        Assert.True(json.GetProperty("mean_final_goal_error").GetDouble() < 0.05);
        foreach (string figure in new[] { "success_rate", "mean_episode_ticks", "mean_final_goal_error" })
        {
            Assert.Equal(json.GetProperty(figure).GetDouble(), second.Json.GetProperty(figure).GetDouble());
        }
    }

    [Fact]
    public void A_policy_is_deployed_in_the_controller_runtime_and_its_episodes_recorded()
    {
        string log = _directory.File("eval.mcap");

        var run = CliRun.Of(TrainerCli.Build(), "eval", "--policy", policies.Reach, "--robot", "sim:reach", "--episodes", "6", "--record", log, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("success rate", run.Stdout);
        var json = run.Json;
        Assert.Equal(6, json.GetProperty("episodes").GetInt32());
        Assert.Equal(log, json.GetProperty("log").GetString());
        var episodes = TeleopLogReader.Read(log).Episodes;
        Assert.Equal(6, episodes.Count);
        Assert.All(episodes, e => Assert.All(e.Steps, s => Assert.Equal(Protos.Log.ActionSource.Policy, s.Source)));
        Assert.Equal(episodes.Average(e => e.Steps.Count), json.GetProperty("mean_episode_ticks").GetDouble(), 6);
    }

    [Fact]
    public void Without_robot_a_policy_is_evaluated_on_the_simulator_it_was_trained_on()
    {
        var run = CliRun.Of(TrainerCli.Build(), "eval", "--policy", policies.CartPole, "--episodes", "2", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("sim:cartpole", run.Json.GetProperty("robot").GetString());
    }

    [Fact]
    public void A_policy_for_another_robot_is_refused_in_one_line()
    {
        var run = CliRun.Of(TrainerCli.Build(), "eval", "--policy", policies.CartPole, "--robot", "sim:reach", "--episodes", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: {policies.CartPole} does not fit sim:reach", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("say what to evaluate: --policy FILE or --expert", "eval", "--robot", "sim:reach")]
    [InlineData("--robot: say which simulator the expert drives (sim:reach, sim:cartpole, sim:detour, sim:lane)", "eval", "--expert")]
    [InlineData("closed-loop evaluation needs a simulator", "eval", "--expert", "--robot", "robot.json")]
    [InlineData("--episodes: got '0'; it must be a whole number from 1 to 10000", "eval", "--expert", "--robot", "sim:reach", "--episodes", "0")]
    [InlineData("no such policy file", "eval", "--policy", "/nowhere/policy.onnx", "--robot", "sim:reach")]
    public void Bad_requests_get_one_clear_error(string message, params string[] args)
    {
        var run = CliRun.Of(TrainerCli.Build(), args);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }
}
