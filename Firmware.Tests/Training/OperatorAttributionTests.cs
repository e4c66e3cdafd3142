using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Recording;
using Robotics.Hardware.Simulation;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Data;

namespace Robotics.Tests.Training;

/// <summary>
/// Who drove each step, from the control loop through the recording to the trainer: episodes of named operators
/// (the scripted expert on sim:reach under two names) and override stretches taken over gRPC, each step read back
/// with its operator.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class OperatorAttributionTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Each_step_of_two_recorded_operators_is_theirs_in_the_loader_in_log_info_and_in_the_training_report()
    {
        string folder = _directory.File("logs");
        Directory.CreateDirectory(folder);
        SimPolicies.Record("sim:reach", Path.Combine(folder, "alice.mcap"), episodes: 3, seed: 1, @operator: "alice");
        SimPolicies.Record("sim:reach", Path.Combine(folder, "bob.mcap"), episodes: 2, seed: 2, @operator: "bob");
        long StepsOf(string name) => TeleopLogReader.Read(Path.Combine(folder, name + ".mcap")).StepCount;

        var demonstrations = DemonstrationLoader.Load([folder], new DemonstrationFilter());

        Assert.Equal(5, demonstrations.Episodes.Count);
        foreach (var episode in demonstrations.Episodes)
        {
            string driver = Path.GetFileNameWithoutExtension(episode.Source);
            Assert.All(Enumerable.Range(0, episode.Steps), step => Assert.Equal(driver, episode.OperatorOf(step)));
        }
        var info = CliRun.Of(TrainerCli.Build(), "log", "info", folder, "--json");
        Assert.Equal(0, info.ExitCode);
        var perOperator = info.Json.GetProperty("expert_steps_per_operator");
        Assert.Equal(StepsOf("alice"), perOperator.GetProperty("alice").GetInt64());
        Assert.Equal(StepsOf("bob"), perOperator.GetProperty("bob").GetInt64());

        var train = CliRun.Of(TrainerCli.Build(), "train", "--data", folder, "--out", _directory.File("p.onnx"), "--hidden", "8", "--epochs", "1",
            "--weight-operator", "bob=0", "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        var composition = train.Json.GetProperty("composition");
        var rows = composition.GetProperty("operators").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal((3, StepsOf("alice"), 1.0, 1.0), Row(rows["alice"]));
        Assert.Equal((2, StepsOf("bob"), 0.0, 0.0), Row(rows["bob"]));
        Assert.Equal(StepsOf("bob"), composition.GetProperty("left_out_steps").GetInt64());
        Assert.Contains("left out: " + StepsOf("bob") + " steps that weigh 0", train.Stdout);
    }

    /// <summary>
    /// Two remote operators take over the reach policy one after the other, each sending fresh commands for at least
    /// ten of its ticks. Every step either drove is recorded as an override naming them, in the order they drove; the
    /// policy's steps around them name nobody; the loader, which learns from the override steps alone, sees each
    /// one's steps as theirs.
    /// </summary>
    [Fact]
    public async Task Override_steps_carry_the_name_each_client_took_the_lease_with()
    {
        string log = _directory.File("override.mcap");
        using var robot = new ReachSimulation(seed: 2);
        using var policy = new PolicyRunner(policies.Reach);
        var recorder = TickRecorder.Create(log, robot.Description.ToEpisodeInfo(100, "", ""), new TeleopLogWriterOptions { SyncEachChunk = false });
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Autonomous, Realtime = false, Duration = TimeSpan.FromMinutes(2) };
        await using (var harness = await RobotHarness.StartAsync(robot, options, policy, null, recorder))
        {
            using var channel = harness.Channel();
            var client = new Override.OverrideClient(channel);
            await Drive(harness, client, "alice", firstSequence: 1);
            await Drive(harness, client, "bob", firstSequence: 1001);
        }
        recorder.Dispose();

        var steps = TeleopLogReader.Read(log).Episodes.SelectMany(e => e.Steps).ToList();
        var named = steps.Where(s => s.Operator.Length > 0).ToList();
        Assert.All(named, s => Assert.Equal(ActionSource.Override, s.Source));
        Assert.All(steps.Where(s => s.Source == ActionSource.Override), s => Assert.NotEqual("", s.Operator));
        Assert.Equal(["alice", "bob"], named.Select(s => s.Operator).Distinct());
        Assert.Equal(named.Select(s => s.Operator).Order(StringComparer.Ordinal), named.Select(s => s.Operator));
        Assert.True(named.Count(s => s.Operator == "alice") >= 10 && named.Count(s => s.Operator == "bob") >= 10, $"{named.Count} override steps");
        Assert.Contains(steps, s => s.Source == ActionSource.Policy && s.Operator.Length == 0);

        var demonstrations = DemonstrationLoader.Load([log], new DemonstrationFilter());
        var loaded = demonstrations.Episodes.SelectMany(e => Enumerable.Range(0, e.Steps).Select(e.OperatorOf)).CountBy(name => name).ToDictionary();
        Assert.Equal(named.CountBy(s => s.Operator).ToDictionary(), loaded);
    }

    /// <summary>Takes the lease as <paramref name="name"/>, drives until ten of its commands were applied, releases, and lets the policy drive a few ticks.</summary>
    private static async Task Drive(RobotHarness harness, Override.OverrideClient client, string name, ulong firstSequence)
    {
        using var call = client.Drive();
        await call.RequestStream.WriteAsync(new OperatorMessage { TakeOver = new TakeOver { Operator = name } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(ControllerMessage.MessageOneofCase.Granted, call.ResponseStream.Current.MessageCase);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (ulong sequence = firstSequence; harness.Loop.Overrides.AppliedSequence < (long)firstSequence + 10; sequence++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {name}'s commands to be applied");
            var command = new Protos.Control.Command { Sequence = sequence };
            command.Action.AddRange([0f, 0f]);
            await call.RequestStream.WriteAsync(new OperatorMessage { Command = command });
            await Task.Delay(10);
        }
        await call.RequestStream.WriteAsync(new OperatorMessage { Release = new Release() });
        await RobotHarness.Eventually(() => !harness.Loop.Overrides.Held, $"{name}'s lease to be released");
        long ticks = harness.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => harness.Loop.Statistics.Ticks > ticks + 5, "the policy to drive again");
    }

    private static (int Episodes, long Steps, double Weight, double Share) Row(System.Text.Json.JsonElement row) =>
        (row.GetProperty("episodes").GetInt32(), row.GetProperty("steps").GetInt64(), row.GetProperty("weight").GetDouble(), row.GetProperty("share").GetDouble());
}
