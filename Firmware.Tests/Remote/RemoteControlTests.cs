using Grpc.Core;
using Robotics.Controller.Loop;
using Robotics.Controller.Recording;
using Robotics.Controller.Policy;
using Robotics.Hardware.Simulation;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;
using Status = Robotics.Protos.Control.Status;

namespace Robotics.Tests.Remote;

[Collection(nameof(SimPolicies))]
public sealed class RemoteControlTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static LoopOptions Paced(double rateHz, ControlMode mode) => new() { RateHz = rateHz, Mode = mode, Realtime = false, Duration = TimeSpan.FromMinutes(2) };

    private static async Task<AsyncDuplexStreamingCall<OperatorMessage, ControllerMessage>> TakeOver(Override.OverrideClient client, string name)
    {
        var call = client.Drive();
        await call.RequestStream.WriteAsync(new OperatorMessage { TakeOver = new TakeOver { Operator = name } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(ControllerMessage.MessageOneofCase.Granted, call.ResponseStream.Current.MessageCase);
        return call;
    }

    private static OperatorMessage Command(ulong sequence, params float[] action)
    {
        var command = new Protos.Control.Command { Sequence = sequence };
        command.Action.AddRange(action);
        return new OperatorMessage { Command = command };
    }

    [Fact]
    public async Task Telemetry_frames_are_the_ticks_the_loop_recorded()
    {
        string log = _directory.File("telemetry.mcap");
        using var robot = new ReachSimulation(seed: 2);
        using var policy = new PolicyRunner(policies.Reach);
        var recorder = TickRecorder.Create(log, robot.Description.ToEpisodeInfo(100, "", ""), new TeleopLogWriterOptions { SyncEachChunk = false });
        var frames = new List<TelemetryFrame>();
        await using (var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Autonomous), policy, null, recorder))
        {
            using var channel = harness.Channel();
            var client = new Telemetry.TelemetryClient(channel);
            using var stream = client.Stream(new TelemetryRequest());
            while (frames.Count < 50 && await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
                frames.Add(stream.ResponseStream.Current);
            }
        }
        recorder.Dispose();

        var steps = TeleopLogReader.Read(log).Episodes.SelectMany(e => e.Steps.Select(s => (e.Id, Step: s))).ToList();
        Assert.Equal(50, frames.Count);
        Assert.Equal(Enumerable.Range((int)frames[0].Tick, 50).Select(t => (ulong)t), frames.Select(f => f.Tick));
        foreach (var frame in frames)
        {
            var (episode, step) = steps.Single(s => s.Id == frame.Episode && s.Step.Tick == frame.EpisodeTick);
            Assert.Equal(step.TimestampNs, frame.TimestampNs);
            Assert.Equal(step.Observation, frame.Observation);
            Assert.Equal(step.Action, frame.Action);
            Assert.Equal(TelemetryFrame.PolicyOneofCase.Gaussian, frame.PolicyCase);
            Assert.Equal(step.PolicyMean, frame.Gaussian.Mean);
            Assert.Equal(step.PolicyLogStd.Select(MathF.Exp), frame.Gaussian.Std);
            Assert.Equal(ActionSource.Policy, frame.Source);
            Assert.Equal(Mode.Autonomous, frame.Mode);
            Assert.Equal(0ul, frame.Dropped);
        }
    }

    [Fact]
    public async Task A_takeover_reaches_the_actuators_at_the_next_tick_and_is_recorded_as_an_intervention()
    {
        string log = _directory.File("override.mcap");
        var robot = new ScriptedRobot(rateHz: 100);
        var recorder = TickRecorder.Create(log, robot.Description.ToEpisodeInfo(100, "", ""), new TeleopLogWriterOptions { SyncEachChunk = false });
        long ticksToApply;
        await using (var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), null, new ConstantOperator(0.5f), recorder))
        {
                        using var channel = harness.Channel();
            using var call = await TakeOver(new Override.OverrideClient(channel), "alice");
            long before = harness.Loop.Statistics.Ticks;
            await call.RequestStream.WriteAsync(Command(1, 1.2f));
            await RobotHarness.Eventually(() => harness.Loop.Overrides.AppliedSequence == 1, "the command to be applied");
            ticksToApply = harness.Loop.Overrides.AppliedTick - before;
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(ControllerMessage.MessageOneofCase.Applied, call.ResponseStream.Current.MessageCase);
            Assert.Equal([1.2f], call.ResponseStream.Current.Applied.Action);
            lock (robot.Written)
            {
                Assert.Contains(1.2f, robot.Written);
            }
            await call.RequestStream.WriteAsync(new OperatorMessage { Release = new Release() });
            await RobotHarness.Eventually(() => !harness.Loop.Overrides.Held, "the lease to be released");
        }
        recorder.Dispose();

        // The loop applies the newest command at the tick after it arrives: one tick, two if it landed mid-tick.
        Assert.InRange(ticksToApply, 0, 2);
        var steps = TeleopLogReader.Read(log).Episodes.SelectMany(e => e.Steps).ToList();
        Assert.Contains(steps, s => s.Source == ActionSource.Teleop && s.Action[0] == 1.2f);
    }

    [Fact]
    public async Task Take_over_and_release_events_carry_the_tick_they_happened_at()
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), null, new ConstantOperator(0.5f));
        using var events = harness.Hub.Subscribe();
        var seen = new List<LoopEvent>();
        async Task<LoopEvent> Next(LoopEventKind kind)
        {
            await RobotHarness.Eventually(() =>
            {
                harness.Hub.Flush();
                while (events.Reader.TryRead(out var e))
                {
                    seen.Add(e);
                }
                return seen.Any(e => e.Kind == kind);
            }, kind.ToString());
            return seen.Single(e => e.Kind == kind);
        }
        await RobotHarness.Eventually(() => harness.Loop.Status.Read().EpisodeTick >= 20, "20 ticks");
        using var channel = harness.Channel();

        var beforeTakeOver = harness.Loop.Status.Read();
        using var call = await TakeOver(new Override.OverrideClient(channel), "bob");
        var taken = await Next(LoopEventKind.OverrideTaken);
        var afterTakeOver = harness.Loop.Status.Read();
        await RobotHarness.Eventually(() => harness.Loop.Status.Read().EpisodeTick >= afterTakeOver.EpisodeTick + 10, "10 more ticks");
        var beforeRelease = harness.Loop.Status.Read();
        await call.RequestStream.CompleteAsync();
        var released = await Next(LoopEventKind.OverrideReleased);
        var afterRelease = harness.Loop.Status.Read();

        // One episode throughout: its tick counts are comparable. Each event's tick lies within the ticks read around it.
        Assert.All(new[] { beforeTakeOver, afterTakeOver, beforeRelease, afterRelease }, s => Assert.Equal(1ul, s.Episode));
        Assert.Equal(1ul, taken.Episode);
        Assert.InRange(taken.Tick, beforeTakeOver.EpisodeTick, afterTakeOver.EpisodeTick);
        Assert.True(taken.Tick >= 20, $"took over at tick {taken.Tick}");
        Assert.InRange(released.Tick, beforeRelease.EpisodeTick, afterRelease.EpisodeTick);
        Assert.True(released.Tick >= taken.Tick + 10, $"released at tick {released.Tick}, taken at {taken.Tick}");
    }

    [Fact]
    public async Task In_autonomous_mode_an_operators_commands_are_overrides_with_the_intervention_flag()
    {
        string log = _directory.File("intervention.mcap");
        using var robot = new ReachSimulation(seed: 3);
        using var policy = new PolicyRunner(policies.Reach);
        var recorder = TickRecorder.Create(log, robot.Description.ToEpisodeInfo(100, "", ""), new TeleopLogWriterOptions { SyncEachChunk = false });
        var kinds = new List<LoopEventKind>();
        await using (var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Autonomous), policy, null, recorder))
        {
            using var events = harness.Hub.Subscribe();
            using var channel = harness.Channel();
            using var call = await TakeOver(new Override.OverrideClient(channel), "bob");
            for (ulong i = 1; i <= 20; i++)
            {
                await call.RequestStream.WriteAsync(Command(i, 0.25f, -0.25f));
                await Task.Delay(10);
            }
            await RobotHarness.Eventually(() => harness.Loop.Overrides.AppliedSequence >= 15, "the commands to be applied");
            await call.RequestStream.CompleteAsync();
            await RobotHarness.Eventually(() => !harness.Loop.Overrides.Held, "the lease to end with the stream");
            harness.Hub.Flush();
            while (events.Reader.TryRead(out var e))
            {
                kinds.Add(e.Kind);
            }
        }
        recorder.Dispose();

        Assert.Contains(LoopEventKind.OverrideTaken, kinds);
        Assert.Contains(LoopEventKind.OverrideReleased, kinds);

        var steps = TeleopLogReader.Read(log).Episodes.SelectMany(e => e.Steps).ToList();
        var overrides = steps.Where(s => s.Source == ActionSource.Override).ToList();
        Assert.True(overrides.Count >= 10);
        Assert.All(overrides, s => Assert.Equal((uint)StepFlag.Intervention, s.Flags & (uint)StepFlag.Intervention));
        Assert.All(overrides, s => Assert.Equal(2, s.PolicyMean.Count));
        Assert.Contains(steps, s => s.Source == ActionSource.Policy);
    }

    [Fact]
    public async Task A_second_operator_is_refused_naming_the_holder()
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop));
        using var channel = harness.Channel();
        var client = new Override.OverrideClient(channel);
        using var first = await TakeOver(client, "alice");

        using var second = client.Drive();
        await second.RequestStream.WriteAsync(new OperatorMessage { TakeOver = new TakeOver { Operator = "bob" } });
        var error = await Assert.ThrowsAsync<RpcException>(() => second.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("the override lease is held by alice", error.Status.Detail);
        var status = await new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest());
        Assert.Equal("alice", status.OverrideOwner);
    }

    [Fact]
    public async Task Stale_commands_switch_to_the_fallback_and_the_operator_is_told()
    {
        var robot = new ScriptedRobot();
        var options = Paced(100, ControlMode.Teleop) with { OverrideStaleAfter = TimeSpan.FromMilliseconds(100) };
        await using var harness = await RobotHarness.StartAsync(robot, options);
        using var events = harness.Hub.Subscribe();
        using var channel = harness.Channel();
        using var call = await TakeOver(new Override.OverrideClient(channel), "carol");
        await call.RequestStream.WriteAsync(Command(1, 1.5f));

        var notices = new List<ControllerMessage.MessageOneofCase>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            notices.Add(call.ResponseStream.Current.MessageCase);
            if (call.ResponseStream.Current.MessageCase == ControllerMessage.MessageOneofCase.Stale)
            {
                Assert.Equal(100u, call.ResponseStream.Current.Stale.StaleAfterMs);
                Assert.Equal("safe action", call.ResponseStream.Current.Stale.Fallback);
                break;
            }
        }

        Assert.Contains(ControllerMessage.MessageOneofCase.Applied, notices);
        long staleTick = harness.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => harness.Loop.Statistics.Ticks > staleTick + 3, "a few ticks after going stale");
        lock (robot.Written)
        {
            // Not re-applying the last command: the safe action (0.5 N) from the stale point on.
            Assert.Equal(0.5f, robot.Written[^1]);
            Assert.Contains(1.5f, robot.Written);
        }
        harness.Hub.Flush();
        var kinds = new List<LoopEventKind>();
        while (events.Reader.TryRead(out var e))
        {
            kinds.Add(e.Kind);
        }
        Assert.Contains(LoopEventKind.OverrideStale, kinds);
    }

    [Theory]
    [InlineData(new float[] { 1, 2 }, "the command has 2 values; the robot takes 1 (force)")]
    [InlineData(new float[] { float.NaN }, "force is NaN: commands must be finite")]
    [InlineData(new float[] { 7 }, "force is 7 N, outside [-2, 2]")]
    public async Task Malformed_or_out_of_range_commands_are_rejected_and_never_applied(float[] action, string reason)
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop) with { RejectOutOfRange = true });
        using var channel = harness.Channel();
        using var call = await TakeOver(new Override.OverrideClient(channel), "dave");

        await call.RequestStream.WriteAsync(Command(9, action));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var rejected = call.ResponseStream.Current.Rejected;

        Assert.Equal(9ul, rejected.Sequence);
        Assert.Equal((int)StatusCode.InvalidArgument, rejected.Code);
        Assert.Equal(reason, rejected.Reason);
        Assert.Equal(-1, harness.Loop.Overrides.AppliedSequence);
        lock (robot.Written)
        {
            Assert.All(robot.Written, value => Assert.Equal(0.5f, value));
        }
    }

    [Fact]
    public async Task Without_reject_out_of_range_a_command_past_the_limits_is_clamped_by_the_loop_flagged_and_acknowledged_as_sent()
    {
        string log = _directory.File("clamped.mcap");
        var robot = new ScriptedRobot();
        var recorder = TickRecorder.Create(log, robot.Description.ToEpisodeInfo(100, "", ""), new TeleopLogWriterOptions { SyncEachChunk = false });
        Applied applied;
        await using (var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), recorder: recorder))
        {
            using var channel = harness.Channel();
            using var call = await TakeOver(new Override.OverrideClient(channel), "erin");

            await call.RequestStream.WriteAsync(Command(1, 7f));
            await RobotHarness.Eventually(() => { lock (robot.Written) { return robot.Written.Count > 0 && robot.Written[^1] == 2f; } }, "the clamped command to reach the robot");
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            applied = call.ResponseStream.Current.Applied;
        }
        recorder.Dispose();

        // Applied names what that tick sent: from the safe 0.5 N, 100 N/s at 100 Hz allows 1 N a tick, so 1.5 N
        // (the limit, 2 N, is reached a tick later). The log flags every tick the limits changed the command.
        Assert.Equal(1ul, applied.Sequence);
        Assert.Equal([1.5f], applied.Action);
        var overridden = TeleopLogReader.Read(log).Episodes.SelectMany(e => e.Steps).Where(s => s.Source == ActionSource.Teleop && s.Action[0] > 0.5f).ToList();
        Assert.NotEmpty(overridden);
        Assert.All(overridden, s => Assert.Equal((uint)StepFlag.ActionClamped, s.Flags & (uint)StepFlag.ActionClamped));
        Assert.Contains(overridden, s => s.Action[0] == 2f);
    }

    [Theory]
    [InlineData(null, StatusCode.Unauthenticated)]
    [InlineData("not-the-token", StatusCode.PermissionDenied)]
    public async Task Control_calls_without_the_right_token_are_refused_and_change_nothing(string? token, StatusCode expected)
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), @operator: new ConstantOperator(1));
        using var channel = harness.Channel(token);
        var control = new Control.ControlClient(channel);

        var calls = new Func<Task>[]
        {
            () => control.EmergencyStopAsync(new EmergencyStopRequest()).ResponseAsync,
            () => control.SetModeAsync(new SetModeRequest { Mode = Mode.Shadow }).ResponseAsync,
            () => control.ResetEpisodeAsync(new ResetEpisodeRequest()).ResponseAsync,
            () => control.StartRecordingAsync(new StartRecordingRequest { Path = _directory.File("x.mcap") }).ResponseAsync,
            () => new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest()).ResponseAsync,
            async () =>
            {
                // The refusal comes with the response headers, before any message is read: reading it first. A
                // TakeOver written meanwhile races the server's end of the stream, and a client that loses that race
                // sees Cancelled (the stream reset) rather than the refusal.
                using var call = new Override.OverrideClient(channel).Drive();
                await call.ResponseStream.MoveNext(CancellationToken.None);
            },
        };
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(expected, error.StatusCode);
        }

        Assert.False(harness.Loop.Mailbox.StopLatched);
        Assert.False(harness.Loop.Overrides.Held);
        Assert.Equal("", harness.Plane.RecordingPath);
        Assert.False(File.Exists(_directory.File("x.mcap")));
        Assert.Equal(ControlMode.Teleop, harness.Loop.Status.Read().Mode);
    }

    [Fact]
    public async Task Telemetry_can_be_opened_to_everyone_while_control_still_needs_the_token()
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), @operator: new ConstantOperator(1),
            configure: o => o with { TelemetryWithoutToken = true });
        using var channel = harness.Channel(token: null);

        Status status = await new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest());
        Assert.Equal("scripted", status.Robot);
        var error = await Assert.ThrowsAsync<RpcException>(() => new Control.ControlClient(channel).EmergencyStopAsync(new EmergencyStopRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Emergency_stop_halts_now_latches_ends_the_override_and_needs_an_explicit_release()
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), @operator: new ConstantOperator(1));
        using var channel = harness.Channel();
        var control = new Control.ControlClient(channel);
        using var call = await TakeOver(new Override.OverrideClient(channel), "frank");

        var reply = await control.EmergencyStopAsync(new EmergencyStopRequest { Reason = "hand in the workspace" });

        Assert.True(reply.EmergencyStopped);
        Assert.True(robot.HaltedAtRead >= 0);
        var messages = new List<ControllerMessage>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            messages.Add(call.ResponseStream.Current);
        }
        Assert.Equal("emergency stop", messages.Single(m => m.MessageCase == ControllerMessage.MessageOneofCase.Released).Released.Reason);
        long stoppedAt = harness.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => harness.Loop.Statistics.Ticks > stoppedAt + 5, "ticks after the stop");
        lock (robot.Written)
        {
            Assert.All(robot.Written.TakeLast(5), value => Assert.Equal(0.5f, value));
        }
        var again = await Assert.ThrowsAsync<RpcException>(async () => { using var c = await TakeOver(new Override.OverrideClient(channel), "frank"); });
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);

        await control.ReleaseEmergencyStopAsync(new ReleaseEmergencyStopRequest());
        long releasedAt = harness.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => harness.Loop.Statistics.Ticks > releasedAt + 5, "ticks after the release");
        lock (robot.Written)
        {
            Assert.Equal(1f, robot.Written[^1]);
        }
        Assert.Equal(-1, robot.HaltedAtRead);
    }

    [Fact]
    public async Task The_robots_own_stop_input_ends_the_override_and_holds_the_stop_until_released_with_the_input_up()
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), @operator: new ConstantOperator(1));
        using var channel = harness.Channel();
        var control = new Control.ControlClient(channel);
        using var call = await TakeOver(new Override.OverrideClient(channel), "grace");
        await call.RequestStream.WriteAsync(Command(1, 1.5f));

        robot.StopInputActive = true;

        // The lease ends as a remote stop ends it: the operator is told, and its last command cannot drive later.
        var messages = new List<ControllerMessage>();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await call.ResponseStream.MoveNext(patience.Token))
        {
            messages.Add(call.ResponseStream.Current);
        }
        Assert.Equal("emergency stop", messages.Single(m => m.MessageCase == ControllerMessage.MessageOneofCase.Released).Released.Reason);
        Assert.True(harness.Loop.Mailbox.StopLatched);
        Assert.False(harness.Loop.Overrides.Held);
        Assert.True(robot.HaltedAtRead >= 0);

        // A release while the input is still active is refused, naming why; nothing was resumed.
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await control.ReleaseEmergencyStopAsync(new ReleaseEmergencyStopRequest()));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal("the robot's own emergency-stop input is still active: release it on the robot first", refused.Status.Detail);
        Assert.True(harness.Loop.Mailbox.StopLatched);
        Assert.Equal(0, robot.Resumes);

        robot.StopInputActive = false;
        await RobotHarness.Eventually(() => !harness.Loop.Status.Read().StopInputActive, "the input seen released");
        await control.ReleaseEmergencyStopAsync(new ReleaseEmergencyStopRequest());
        await RobotHarness.Eventually(() => robot.HaltedAtRead == -1 && !harness.Loop.Mailbox.StopLatched, "resumed after the release");
        long releasedAt = harness.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => harness.Loop.Statistics.Ticks > releasedAt + 5, "ticks after the second release");
        lock (robot.Written)
        {
            // The local operator's 1, not the revoked remote operator's 1.5.
            Assert.Equal(1f, robot.Written[^1]);
        }
    }

    [Fact]
    public async Task Mode_reset_and_recording_are_controlled_remotely()
    {
        using var robot = new ReachSimulation(seed: 4);
        using var policy = new PolicyRunner(policies.Reach);
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Autonomous), policy, new ScriptedOperator(robot));
        using var channel = harness.Channel();
        var control = new Control.ControlClient(channel);

        Assert.Equal(Mode.Teleop, (await control.SetModeAsync(new SetModeRequest { Mode = Mode.Teleop })).Mode);
        string log = _directory.File("remote.mcap");
        Assert.Equal(log, (await control.StartRecordingAsync(new StartRecordingRequest { Path = log })).Recording);
        var exists = await Assert.ThrowsAsync<RpcException>(() => control.StartRecordingAsync(new StartRecordingRequest { Path = log }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, exists.StatusCode);
        // A few recorded ticks of the first episode before the reset ends it, and of the new one before the recording
        // stops, however slowly a loaded machine ticks: without them the log may hold one episode (seen under load).
        long published = harness.Loop.Ticks.Published;
        Assert.True(SpinWait.SpinUntil(() => harness.Loop.Ticks.Published > published + 3, Waits.Patience), "the loop ticked on");
        ulong episode = harness.Loop.Status.Read().Episode;
        await control.ResetEpisodeAsync(new ResetEpisodeRequest());
        Assert.Equal(episode + 1, harness.Loop.Status.Read().Episode);
        published = harness.Loop.Ticks.Published;
        Assert.True(SpinWait.SpinUntil(() => harness.Loop.Ticks.Published > published + 3, Waits.Patience), "the loop ticked on");
        Assert.Contains("stopped recording", (await control.StopRecordingAsync(new StopRecordingRequest())).Message);
        var bad = await Assert.ThrowsAsync<RpcException>(() => control.SetModeAsync(new SetModeRequest { Mode = Mode.Unspecified }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);

        var recorded = TeleopLogReader.Read(log);
        Assert.True(recorded.WasClosed);
        Assert.Equal(2, recorded.Episodes.Count);
        Assert.Equal("operator reset", recorded.Episodes[0].End!.Reason);
        Assert.All(recorded.Episodes.SelectMany(e => e.Steps), s => Assert.Equal(ActionSource.Teleop, s.Source));
    }

    [Fact]
    public async Task The_robot_asks_for_help_when_pushed_outside_what_it_was_trained_on()
    {
        using var robot = new ReachSimulation(seed: 5);
        using var policy = new PolicyRunner(policies.Reach);
        // --help-z 6 rather than the file's threshold (its held-out ticks' 98th percentile of |z|, which the policy's own
        // driving reaches now and then): the request asserted on is the shove's.
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Autonomous) with { Help = new HelpOptions { ObservationZThreshold = 6 } }, policy);
        using var channel = harness.Channel();
        using var events = new Telemetry.TelemetryClient(channel).Events(new EventsRequest());
        await Task.Delay(300);

        // A shove far beyond anything in the demonstrations: joint speeds of 40 rad/s.
        robot.Push(40, -40);

        Event? help = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (help is null && await events.ResponseStream.MoveNext(timeout.Token))
        {
            if (events.ResponseStream.Current.Kind == EventKind.HelpRequested)
            {
                help = events.ResponseStream.Current;
            }
        }
        Assert.NotNull(help);
        Assert.True(help.ObservationZ > 6, $"z = {help.ObservationZ}");
        Assert.Contains("observation z", help.Text);
    }

    [Fact]
    public async Task An_ensembles_help_request_says_its_novelty_and_that_novelty_fired()
    {
        using var robot = new ReachSimulation(seed: 5);
        using var policy = new PolicyRunner(policies.ReachEnsemble);
        double threshold = policy.Metadata.HelpNoveltyThreshold!.Value;
        // σ and |z| out of reach: only the members' disagreement can ask.
        var help = new HelpOptions { UncertaintyThreshold = 1e9, ObservationZThreshold = 1e9 };
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Autonomous) with { Help = help }, policy);
        using var channel = harness.Channel();
        using var events = new Telemetry.TelemetryClient(channel).Events(new EventsRequest());
        await Task.Delay(300);

        // Far outside the demonstrations, where five networks that agreed on them have nothing holding them together.
        robot.Push(40, -40);

        Event? asked = null;
        using var timeout = new CancellationTokenSource(Waits.Patience);
        while (asked is null && await events.ResponseStream.MoveNext(timeout.Token))
        {
            if (events.ResponseStream.Current.Kind == EventKind.HelpRequested)
            {
                asked = events.ResponseStream.Current;
            }
        }
        Assert.NotNull(asked);
        Assert.Equal((uint)HelpTrigger.Novelty, asked.HelpTriggers);
        Assert.True(asked.Novelty > threshold, $"novelty {asked.Novelty}, threshold {threshold}");
        Assert.Contains("novelty over its threshold", asked.Text);
    }

    [Fact]
    public async Task Health_checks_and_reflection_are_served_without_a_token()
    {
        var robot = new ScriptedRobot();
        await using var harness = await RobotHarness.StartAsync(robot, Paced(100, ControlMode.Teleop), @operator: new ConstantOperator(1));
        using var channel = harness.Channel(token: null);

        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        var services = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("robotics.control.v1.Override", services);
        Assert.Contains("robotics.control.v1.Telemetry", services);
        Assert.Contains("robotics.control.v1.Control", services);
    }
}
