using Grpc.Core;
using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Hardware.Simulation;
using Robotics.Protos.Control;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.Remote;

/// <summary>
/// Defects an independent client written from robot.proto alone found, each fixed by the structure: the control
/// plane carries requests out one at a time, and the head kind travels in telemetry by name.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class ControlPlaneTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static LoopOptions Paced(double rateHz, ControlMode mode) => new() { RateHz = rateHz, Mode = mode, Realtime = false, Duration = TimeSpan.FromMinutes(2) };

    [Fact]
    public async Task Concurrent_StartRecording_calls_start_one_recording_and_refuse_the_others_opening_nothing()
    {
        // At 10 Hz all five calls land within one tick: before the control plane, all five succeeded (5 of 5 here).
        var robot = new ScriptedRobot(rateHz: 10);
        await using var harness = await RobotHarness.StartAsync(robot, Paced(10, ControlMode.Teleop), @operator: new ConstantOperator(1));
        using var channel = harness.Channel();
        var control = new Control.ControlClient(channel);
        var paths = Enumerable.Range(0, 5).Select(i => _directory.File($"concurrent-{i}.mcap")).ToList();

        var calls = paths.Select(path => control.StartRecordingAsync(new StartRecordingRequest { Path = path }).ResponseAsync).ToList();
        var outcomes = new List<(string Path, ControlReply? Reply, RpcException? Error)>();
        for (int i = 0; i < calls.Count; i++)
        {
            try
            {
                outcomes.Add((paths[i], await calls[i], null));
            }
            catch (RpcException e)
            {
                outcomes.Add((paths[i], null, e));
            }
        }

        var started = Assert.Single(outcomes, o => o.Reply is not null);
        Assert.All(outcomes.Where(o => o.Error is not null), o =>
        {
            Assert.Equal(StatusCode.FailedPrecondition, o.Error!.StatusCode);
            Assert.Equal($"the robot is already recording to {started.Path}", o.Error.Status.Detail);
            Assert.False(File.Exists(o.Path), $"{o.Path} was opened by a refused request");
        });
        var status = await new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest());
        Assert.Equal(started.Path, status.Recording);

        long ticks = harness.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => harness.Loop.Statistics.Ticks > ticks + 3, "ticks recorded");
        var stopped = await control.StopRecordingAsync(new StopRecordingRequest());
        Assert.Equal($"stopped recording to {started.Path}", stopped.Message);
        Assert.Equal("", stopped.Recording);
        var log = TeleopLogReader.Read(started.Path);
        Assert.True(log.WasClosed);
        Assert.True(log.StepCount >= 3);
        Assert.Single(Directory.GetFiles(_directory.Path, "concurrent-*"));
    }

    [Fact]
    public async Task Starting_and_stopping_a_recording_is_announced_once_each()
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), @operator: new ConstantOperator(1));
        using var events = harness.Hub.Subscribe();
        using var channel = harness.Channel();
        var control = new Control.ControlClient(channel);

        await control.StartRecordingAsync(new StartRecordingRequest { Path = _directory.File("once.mcap") });
        await control.StopRecordingAsync(new StopRecordingRequest());
        harness.Hub.Flush();

        var kinds = new List<LoopEventKind>();
        while (events.Reader.TryRead(out var e))
        {
            kinds.Add(e.Kind);
        }
        Assert.Equal(1, kinds.Count(k => k == LoopEventKind.RecordingStarted));
        Assert.Equal(1, kinds.Count(k => k == LoopEventKind.RecordingStopped));
    }

    [Fact]
    public async Task A_categorical_policys_telemetry_names_its_head_and_carries_its_logits_and_probabilities()
    {
        using var robot = new CartPoleSimulation(seed: 8);
        using var policy = new PolicyRunner(policies.CartPole);
        await using var harness = await RobotHarness.StartAsync(robot, Paced(50, ControlMode.Autonomous), policy);
        using var channel = harness.Channel();
        using var stream = new Telemetry.TelemetryClient(channel).Stream(new TelemetryRequest());
        var frames = new List<TelemetryFrame>();
        while (frames.Count < 20 && await stream.ResponseStream.MoveNext(CancellationToken.None))
        {
            frames.Add(stream.ResponseStream.Current.Clone());
        }

        // Cart-pole has one action (the chosen index) and two logits: nothing about it looks like a Gaussian's μ and σ.
        Assert.All(frames, frame =>
        {
            Assert.Equal(TelemetryFrame.PolicyOneofCase.Categorical, frame.PolicyCase);
            Assert.Equal(2, frame.Categorical.Logits.Count);
            Assert.Equal(1.0, frame.Categorical.Probabilities.Sum(), 5);
            int argmax = frame.Categorical.Logits[1] > frame.Categorical.Logits[0] ? 1 : 0;
            Assert.Equal(argmax, (int)frame.Action[0]);
        });
        var status = await new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest());
        Assert.Equal("categorical", status.Model.Kind);
    }

    /// <summary>
    /// An ensemble's telemetry carries its novelty beside the uncertainty and |z| of every tick, with the triggers that
    /// were over their thresholds, and the model's description the thresholds in force, from the policy file.
    /// </summary>
    [Fact]
    public async Task An_ensembles_telemetry_carries_its_novelty_and_the_triggers_that_fired_and_its_thresholds()
    {
        using var robot = new ReachSimulation(seed: 8);
        using var policy = new PolicyRunner(policies.ReachEnsemble);
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Autonomous), policy);
        using var channel = harness.Channel();
        using var stream = new Telemetry.TelemetryClient(channel).Stream(new TelemetryRequest());
        var frames = new List<TelemetryFrame>();
        while (frames.Count < 20 && await stream.ResponseStream.MoveNext(CancellationToken.None))
        {
            frames.Add(stream.ResponseStream.Current.Clone());
        }

        var metadata = policy.Metadata;
        Assert.All(frames, frame =>
        {
            Assert.True(frame.Novelty > 0, $"tick {frame.Tick}: novelty {frame.Novelty}");
            Assert.Equal(
                (frame.Uncertainty > metadata.HelpThreshold ? (uint)Robotics.Protos.Log.HelpTrigger.Uncertainty : 0)
                | (frame.Novelty > metadata.HelpNoveltyThreshold ? (uint)Robotics.Protos.Log.HelpTrigger.Novelty : 0)
                | (frame.ObservationZ > metadata.HelpObservationZThreshold ? (uint)Robotics.Protos.Log.HelpTrigger.ObservationZ : 0), frame.HelpTriggers);
        });
        var model = (await new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest())).Model;
        Assert.Equal((5u, metadata.HelpThreshold, metadata.HelpNoveltyThreshold!.Value, metadata.HelpObservationZThreshold!.Value),
            (model.EnsembleMembers, model.HelpThreshold, model.HelpNovelty, model.HelpObservationZ));
    }

    [Fact]
    public async Task A_release_lifts_only_the_stops_latched_before_it_was_asked_for()
    {
        var robot = new ScriptedRobot(rateHz: 10);
        using var loop = new ControlLoop(robot, Paced(10, ControlMode.Teleop), null, new ConstantOperator(1));
        using var hub = new EventHub(loop);
        await using var plane = new ControlPlane(loop, hub);
        loop.Start();
        await plane.EmergencyStopAsync("operator A", CancellationToken.None);

        // A asks for a release; before the loop (at 10 Hz) takes it, B presses stop. B's stop must hold,
        // whichever of the two the loop sees first.
        var release = plane.ReleaseEmergencyStopAsync(CancellationToken.None);
        loop.Mailbox.LatchStop();
        await release;

        Assert.True(loop.Mailbox.StopLatched);
        long after = robot.Reads;
        Assert.True(SpinWait.SpinUntil(() => robot.Reads > after + 3, Waits.Patience));
        Assert.True(robot.HaltedAtRead >= 0, "the devices stay halted");
        lock (robot.Written)
        {
            Assert.All(robot.Written.TakeLast(3), value => Assert.Equal(0.5f, value));
        }
        loop.RequestStop();
        loop.WaitForExit();
    }

    [Fact]
    public async Task A_request_the_loop_does_not_take_in_time_is_withdrawn_and_never_applies()
    {
        // The loop is stuck in a read for 3 s (a driver hung on a bus) when a reset arrives.
        var robot = new ScriptedRobot(rateHz: 50) { StallAt = (20, TimeSpan.FromSeconds(3)) };
        using var loop = new ControlLoop(robot, Paced(50, ControlMode.Teleop), null, new ConstantOperator(1));
        using var hub = new EventHub(loop);
        await using var plane = new ControlPlane(loop, hub) { LoopAnswerTimeout = TimeSpan.FromMilliseconds(300) };
        loop.Start();
        Assert.True(SpinWait.SpinUntil(() => robot.Reads > 20, Waits.Patience));

        var refused = await Assert.ThrowsAsync<ControlRefusedException>(() => plane.ResetEpisodeAsync(CancellationToken.None));

        Assert.Equal(ControlFailure.DeadlineExceeded, refused.Failure);
        long stuckAt = robot.Reads;
        Assert.True(SpinWait.SpinUntil(() => robot.Reads > stuckAt + 10, Waits.Patience), "the loop came back");
        Assert.Equal(1ul, loop.Status.Read().Episode);
        loop.RequestStop();
        Assert.Equal(1, loop.WaitForExit().Episodes);
    }
}
