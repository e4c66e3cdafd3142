using Robotics.Controller.Benchmarks;
using Robotics.Controller.Loop;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Tests.Support;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

/// <summary>The shipped SO-101 leader/follower config, its two arms emulated on two pseudo-terminal pairs.</summary>
[Collection(SerialLines.Name)]
public sealed class LeaderFollowerTests : IDisposable
{
    private static readonly byte[] Arm = [1, 2, 3, 4, 5, 6];
    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _followerLine = new();
    private readonly PseudoTerminalPair _leaderLine = new();
    private readonly FeetechEmulator _follower;
    private readonly FeetechEmulator _leader;

    public LeaderFollowerTests()
    {
        _follower = new FeetechEmulator(_followerLine.Device, Arm);
        _leader = new FeetechEmulator(_leaderLine.Device, Arm);
    }

    public void Dispose()
    {
        _follower.Dispose();
        _leader.Dispose();
        _followerLine.Dispose();
        _leaderLine.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_follower_copies_the_leader_and_the_leader_stays_limp()
    {
        // A hand holds the leader at 2048 + 100·id steps.
        foreach (byte id in Arm)
        {
            _leader.WriteUInt16(id, FeetechEmulator.PresentPosition, (ushort)(2048 + 100 * id));
        }
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(Sample(Patient)), DeviceRegistry.Default);
        Assert.True(robot.HasTeleop);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(1) };

        using (var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot)))
        {
            loop.Start();
            var report = loop.WaitForExit();
            Assert.Equal(0, report.Faults);
        }

        // The follower's goals reached the leader's positions (its 6 rad/s rate limit needs under a second).
        Assert.All(Arm, id => Assert.InRange(_follower.ReadUInt16(id, FeetechEmulator.GoalPosition), 2048 + 100 * id - 1, 2048 + 100 * id + 1));
        // Counted writes, not values: a leader written a goal of 0 or torque off would still read 0.
        Assert.All(Arm, id => Assert.True(_follower.Writes(id, FeetechEmulator.GoalPosition) > 0));
        Assert.All(Arm, id => Assert.True(_follower.Writes(id, FeetechEmulator.TorqueEnable) > 0));
        Assert.All(Arm, id => Assert.Equal(0, _leader.Writes(id, FeetechEmulator.GoalPosition)));
        Assert.All(Arm, id => Assert.Equal(0, _leader.Writes(id, FeetechEmulator.TorqueEnable)));
        // The follower's limits are the sample's ±3 rad: (±3 + 3.1415927) / 0.0015339808 = 92.3 and 4003.7 steps,
        // rounded outwards; the leader drives nothing, so its limits are left as they were.
        Assert.All(Arm, id => Assert.Equal(92, _follower.ReadUInt16(id, FeetechEmulator.MinAngleLimit)));
        Assert.All(Arm, id => Assert.Equal(4004, _follower.ReadUInt16(id, FeetechEmulator.MaxAngleLimit)));
        Assert.All(Arm, id => Assert.Equal(0, _leader.Writes(id, FeetechEmulator.MinAngleLimit) + _leader.Writes(id, FeetechEmulator.MaxAngleLimit)));
    }

    [Fact]
    public async Task A_servo_that_misses_the_halt_gets_it_again_when_it_is_back()
    {
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(Sample(Patient)), DeviceRegistry.Default);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(1) };
        using var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot));
        using var hub = new EventHub(loop);
        using var events = hub.Subscribe();
        await using var plane = new Robotics.Controller.Control.ControlPlane(loop, hub);
        loop.Start();
        Assert.True(SpinWait.SpinUntil(() => Arm.All(id => _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable) == 1), Waits.Patience), "torque on");

        // Servo 3 drops off the daisy chain (a loose connector), and the robot is stopped meanwhile.
        _follower.Silent.Add(3);
        await plane.EmergencyStopAsync("test", CancellationToken.None);
        Assert.True(SpinWait.SpinUntil(() => Arm.Where(id => id != 3).All(id => _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable) == 0), Waits.Patience), "the others torque off");
        Assert.Equal(1, _follower.ReadUInt16(3, FeetechEmulator.TorqueEnable));
        // Past halt_confirm_ms, the operators hear which servo it is.
        var unconfirmed = await NextEvent(events, LoopEventKind.HaltUnconfirmed);
        Assert.Equal("follower: servo 3 did not confirm the halt (torque off) in time; it is sent again each period", unconfirmed.Text);

        // Back on the chain: the halt reaches it too, without anyone asking again.
        _follower.Silent.Remove(3);
        Assert.True(SpinWait.SpinUntil(() => _follower.ReadUInt16(3, FeetechEmulator.TorqueEnable) == 0, Waits.Patience), "servo 3 torque off once it is back");
        var counters = robot.Devices.Single(d => d.Name == "follower").Counters;
        Assert.True(counters["halt_resends"] > 0);
        loop.RequestStop();
        loop.WaitForExit();
    }

    [Fact]
    public async Task A_hold_halt_keeps_the_follower_where_it_stood_with_torque_on()
    {
        foreach (byte id in Arm)
        {
            _leader.WriteUInt16(id, FeetechEmulator.PresentPosition, (ushort)(2048 + 100 * id));
        }
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(Sample(text => Patient(FollowerSettings(text, "\"halt\": \"hold\"")))), DeviceRegistry.Default);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(1) };
        using var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot));
        using var hub = new EventHub(loop);
        await using var plane = new Robotics.Controller.Control.ControlPlane(loop, hub);
        loop.Start();
        Assert.True(SpinWait.SpinUntil(() => Arm.All(id => _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable) == 1 && _follower.ReadUInt16(id, FeetechEmulator.GoalPosition) == 2048 + 100 * id), Waits.Patience), "the follower at the leader's pose");
        var torqueWrites = Arm.ToDictionary(id => id, id => _follower.Writes(id, FeetechEmulator.TorqueEnable));

        await plane.EmergencyStopAsync("test", CancellationToken.None);

        // The halt wrote its goals and torque on again, and read them back.
        Assert.True(SpinWait.SpinUntil(() => Arm.All(id => _follower.Writes(id, FeetechEmulator.TorqueEnable) > torqueWrites[id]), Waits.Patience), "the hold was sent");
        // The leader moves on; the stopped follower holds where it stood, torque on, for as long as the stop holds.
        foreach (byte id in Arm)
        {
            _leader.WriteUInt16(id, FeetechEmulator.PresentPosition, (ushort)(2048 - 100 * id));
        }
        long ticks = loop.Statistics.Ticks;
        Assert.True(SpinWait.SpinUntil(() => loop.Statistics.Ticks > ticks + 30, Waits.Patience));
        Assert.All(Arm, id => Assert.Equal(1, _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable)));
        Assert.All(Arm, id => Assert.Equal(2048 + 100 * id, _follower.ReadUInt16(id, FeetechEmulator.GoalPosition)));
        Assert.Equal(0, robot.Devices.Single(d => d.Name == "follower").Counters["halt_unconfirmed"]);
        loop.RequestStop();
        loop.WaitForExit();
        // A stop holds too: the arm does not drop when the controller ends.
        Assert.All(Arm, id => Assert.Equal(1, _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable)));
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    public async Task A_signal_mid_run_halts_every_servo_closes_the_log_and_prints_the_summary(string signal, int exitCode)
    {
        string log = _directory.File($"so101-{signal}.mcap");
        using var controller = Robotics.Tests.Cli.ControllerProcess.Start(["run", "--robot", Sample(Patient), "--mode", "teleop", "--duration", "10m", "--no-realtime", "--record", log, "--json"]);
        Assert.True(SpinWait.SpinUntil(() => Arm.All(id => _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable) == 1), TimeSpan.FromSeconds(60)), "torque on");

        controller.Signal(signal);

        Assert.Equal(exitCode, await controller.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        // Every servo of the follower read torque off back; the leader was never written.
        Assert.All(Arm, id => Assert.Equal(0, _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable)));
        Assert.All(Arm, id => Assert.Equal(0, _leader.Writes(id, FeetechEmulator.TorqueEnable)));
        var summary = System.Text.Json.JsonDocument.Parse(controller.StdoutLines[^1]).RootElement;
        Assert.Equal("SIG" + signal, summary.GetProperty("stopped_by").GetString());
        Assert.True(summary.GetProperty("stop_ms").GetDouble() > 0);
        Assert.Equal(0, summary.GetProperty("unconfirmed_halts").GetArrayLength());
        var recording = Robotics.Protos.TeleopLog.TeleopLogReader.Read(log);
        Assert.True(recording.WasClosed, "the log has no footer: it was not closed");
        Assert.Equal(summary.GetProperty("ticks").GetInt64(), recording.StepCount);
    }

    [Fact]
    public async Task A_stop_that_a_servo_never_confirms_says_which_and_still_ends()
    {
        using var controller = Robotics.Tests.Cli.ControllerProcess.Start(["run", "--robot", Sample(Patient), "--mode", "teleop", "--duration", "10m", "--no-realtime", "--json"]);
        Assert.True(SpinWait.SpinUntil(() => Arm.All(id => _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable) == 1), TimeSpan.FromSeconds(60)), "torque on");

        // Servo 3 is off the chain when systemd stops the controller.
        _follower.Silent.Add(3);
        controller.Signal("TERM");

        Assert.Equal(143, await controller.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("error: follower: servo 3 did not confirm the halt (torque off) before the controller stopped: check them by hand", controller.Stderr, StringComparison.Ordinal);
        Assert.All(Arm.Where(id => id != 3), id => Assert.Equal(0, _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable)));
        var summary = System.Text.Json.JsonDocument.Parse(controller.StdoutLines.Last(line => line.StartsWith('{'))).RootElement;
        var halt = Assert.Single(summary.GetProperty("unconfirmed_halts").EnumerateArray());
        Assert.Equal("follower", halt.GetProperty("device").GetString());
        Assert.Equal(["servo 3"], halt.GetProperty("parts").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task A_second_Ctrl_C_ends_a_stop_stuck_on_a_silent_servo_with_the_devices_halted()
    {
        // A stop that keeps trying a servo for 10 s: long enough to be the stop someone gives up on.
        string path = Sample(text => Patient(FollowerSettings(text, "\"halt_confirm_ms\": 10000")));
        using var controller = Robotics.Tests.Cli.ControllerProcess.Start(["run", "--robot", path, "--mode", "teleop", "--duration", "10m", "--no-realtime"]);
        Assert.True(SpinWait.SpinUntil(() => Arm.All(id => _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable) == 1), TimeSpan.FromSeconds(60)), "torque on");
        _follower.Silent.Add(3);

        controller.Signal("INT");
        Assert.True(SpinWait.SpinUntil(() => Arm.Where(id => id != 3).All(id => _follower.ReadUInt16(id, FeetechEmulator.TorqueEnable) == 0), TimeSpan.FromSeconds(60)),
            "the stop turned the others' torque off");
        // A person's second Ctrl+C, not the first one delivered twice.
        await Task.Delay(Robotics.Controller.CommandLine.StopSignals.SameSignalWindow * 2);
        controller.Signal("INT");

        Assert.Equal(130, await controller.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("error: second SIGINT: exiting before the stop finished; not confirmed safe: follower", controller.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(controller.StdoutLines, line => line.StartsWith("ticks ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("follower")]
    [InlineData("leader")]
    public void The_samples_age_limits_hold_when_a_bus_loses_an_answer(string arm)
    {
        // One lost answer costs the chain a retry: the 10 ms timeout and 10 ms of quiet line before the next try.
        // The sample's max_age_ms must ride that out rather than latch a stale fault that lasts until a restart.
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(Sample()), DeviceRegistry.Default);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(2) };
        var emulator = arm == "follower" ? _follower : _leader;

        using var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot));
        loop.Start();
        Assert.True(SpinWait.SpinUntil(() => loop.Statistics.Ticks > 20, Waits.Patience));
        emulator.DropAnswers = 1;
        Assert.True(SpinWait.SpinUntil(() => emulator.SpoiltAnswers == 1, Waits.Patience), "the answer was never dropped");
        var report = loop.WaitForExit();

        // The sample leaves 25 ms beyond one lost answer (50 ms limit, 25 ms worst gap). A loaded test host can hold
        // the loop, the device thread or the emulator answering it back for longer (a garbage collection, a busy
        // CPU), and then it shows: more retries than the one lost answer, a failed transaction, samples further apart
        // than a lost answer explains, or a late loop. Only a fault on a machine that kept time is the lost answer's doing.
        var device = robot.Devices.Single(d => d.Name == arm);
        double spareMs = 25;
        double loopLateMs = report.Lateness.Max / 1e6;
        double worstGapMs = device.Counters["worst_sample_gap_us"] / 1e3;
        bool machineInterfered = device.Counters["retried"] > 1 || device.Counters["failed"] > 0 || loopLateMs > spareMs
            || worstGapMs > device.WorstSampleGap.TotalMilliseconds + spareMs;
        Assert.True(report.Faults == 0 || machineInterfered,
            $"{report.Faults} fault(s) from one lost answer: {device.Counters["retried"]} retry, the loop at most {loopLateMs:F1} ms late, samples at most {worstGapMs:F1} ms apart");
    }

    [Fact]
    public void A_config_with_a_teleop_source_on_some_actions_only_is_refused_naming_the_first_without()
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Sample()), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        config["actions"]![1]!.AsObject().Remove("teleop");
        string path = _directory.File("partial.json");
        File.WriteAllText(path, config.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => RobotConfigLoader.Load(path));

        Assert.Equal($"{path}: actions[1].teleop: required once any action has one: a teleoperator drives every action", error.Message);
    }

    [Fact]
    public async Task Calibrate_writes_zero_offsets_and_joint_limits_into_the_config_with_the_servos_limp()
    {
        string path = Sample(Patient);
        // The zero pose: follower joints at 2048 + 10·id steps, leader joints at 2000 + 10·id.
        foreach (byte id in Arm)
        {
            _follower.WriteUInt16(id, FeetechEmulator.PresentPosition, (ushort)(2048 + 10 * id));
            _leader.WriteUInt16(id, FeetechEmulator.PresentPosition, (ushort)(2000 + 10 * id));
        }

        var zero = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "calibrate", "--robot", path, "--zero");

        Assert.True(zero.ExitCode == 0, zero.Stderr);
        var config = RobotConfigLoader.Load(path);
        const double Step = 0.0015339808;
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(-(2048 + 10 * (i + 1)) * Step, config.Observations[i].Offset, 6);
            Assert.Equal(-(2048 + 10 * (i + 1)) * Step, config.Actions[i].Offset, 6);
            Assert.Equal(-(2000 + 10 * (i + 1)) * Step, config.Teleop![i].Offset, 6);
        }

        // The range: joint 1 is swept from 1500 to 2600 steps while calibrate watches.
        var mover = Task.Run(async () =>
        {
            foreach (ushort position in new ushort[] { 1500, 2600, 2058 })
            {
                _follower.WriteUInt16(1, FeetechEmulator.PresentPosition, position);
                await Task.Delay(300);
            }
        });
        var range = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "calibrate", "--robot", path, "--range", "1.2");
        await mover;

        Assert.True(range.ExitCode == 0, range.Stderr);
        var limits = RobotConfigLoader.Load(path).Description.Actions[0];
        double low = (1500 - 2058) * Step;
        double high = (2600 - 2058) * Step;
        double margin = (high - low) * 0.02;
        Assert.Equal(low + margin, limits.Min, 4);
        Assert.Equal(high - margin, limits.Max, 4);
        // No goal and no torque was written: both arms stayed limp throughout. Nor were the limits, which calibrate
        // is replacing.
        Assert.All(Arm, id => Assert.Equal(0, _follower.Writes(id, FeetechEmulator.MinAngleLimit) + _follower.Writes(id, FeetechEmulator.MaxAngleLimit)));
        Assert.All(Arm, id => Assert.Equal(0, _follower.Writes(id, FeetechEmulator.TorqueEnable)));
        Assert.All(Arm, id => Assert.Equal(0, _leader.Writes(id, FeetechEmulator.TorqueEnable)));
        Assert.All(Arm, id => Assert.Equal(0, _follower.Writes(id, FeetechEmulator.GoalPosition)));
        Assert.All(Arm, id => Assert.Equal(0, _leader.Writes(id, FeetechEmulator.GoalPosition)));
    }

    [Fact]
    public void Check_reports_every_device_and_observation_and_writes_nothing()
    {
        foreach (byte id in Arm)
        {
            _follower.WriteUInt16(id, FeetechEmulator.PresentPosition, (ushort)(2048 + 100 * id));
        }

        var run = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "check", "--robot", Sample(Patient), "--seconds", "1", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var json = run.Json;
        Assert.True(json.GetProperty("ok").GetBoolean());
        var devices = json.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(["follower", "leader"], devices.Select(d => d.GetProperty("name").GetString()));
        // A 5 ms period: at most 200 samples a second (fewer on a loaded machine: the emulators share its cores).
        Assert.All(devices, d => Assert.InRange(d.GetProperty("samples_per_second").GetDouble(), 1, 210));
        Assert.Equal(2048 + 100 * 3, devices[0].GetProperty("inputs").GetProperty("3.position").GetDouble());
        var observations = json.GetProperty("observations").EnumerateArray().ToList();
        Assert.Equal(6, observations.Count);
        Assert.All(observations, o => Assert.True(o.GetProperty("fresh").GetBoolean()));
        Assert.Equal(6, json.GetProperty("teleop").GetArrayLength());
        // Joint 3 at 2048 + 300 steps is 300 × 2π/4096 rad from the zero at 2048.
        Assert.Equal(300 * 0.0015339808, observations[2].GetProperty("value").GetDouble(), 4);
        Assert.All(Arm, id => Assert.Equal(0, _follower.Writes(id, FeetechEmulator.TorqueEnable)));
        Assert.All(Arm, id => Assert.Equal(0, _follower.Writes(id, FeetechEmulator.GoalPosition)));
    }

    [Fact]
    public async Task Check_reports_the_retries_of_the_watch_it_just_did()
    {
        // The counters are read after the watch, when the chains have closed their buses: they must still be there.
        var checking = Task.Run(() => Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "check", "--robot", Sample(LenientAges.Of), "--seconds", "2", "--json"));
        // Spoilt once the watch polls: a spoilt answer while the bus opens, then a late retry on a loaded machine, would
        // fail the start, which is not this test's subject.
        Assert.True(SpinWait.SpinUntil(() => _follower.ReceivedCount(ServoInstruction.SyncRead) > 0 || checking.IsCompleted, Waits.Patience), "the watch never polled");
        for (int spoilt = 0; spoilt < 5 && !checking.IsCompleted; spoilt++)
        {
            // One corrupted answer at a time: each costs exactly one retry, which then succeeds.
            _follower.CorruptAnswers = 1;
            SpinWait.SpinUntil(() => _follower.CorruptAnswers == 0 || checking.IsCompleted, TimeSpan.FromSeconds(10));
            await Task.Delay(50);
        }
        var run = await checking;
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);

        var follower = run.Json.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "follower");
        var counters = follower.GetProperty("counters");
        Assert.True(_follower.SpoiltAnswers > 0, "the watch ended before any answer was spoilt");
        // Every spoilt answer is a retry; on a busy machine an answer can also come later than the 10 ms timeout,
        // which is a retry too (and the emulator cannot know it spoilt nothing), and so can the retry's own answer: a
        // transaction that failed had retried first.
        long retried = counters.GetProperty("retried").GetInt64();
        Assert.InRange(retried, _follower.SpoiltAnswers, long.MaxValue);
        Assert.InRange(counters.GetProperty("failed").GetInt64(), 0, retried);
    }

    [Fact]
    public void Check_says_when_an_age_limit_leaves_no_room_for_one_lost_answer_and_the_sample_leaves_room()
    {
        var sample = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "check", "--robot", Sample(), "--seconds", "0.5", "--json");
        Assert.DoesNotContain("leaves no room", sample.Stderr, StringComparison.Ordinal);
        Assert.All(sample.Json.GetProperty("observations").EnumerateArray(), o => Assert.Equal(System.Text.Json.JsonValueKind.Null, o.GetProperty("suggested_max_age_ms").ValueKind));

        // The sample's limit before: 20 ms, below a 5 ms period plus one retry (10 ms timeout, 10 ms of quiet line).
        string path = Sample();
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"max_age_ms\": 50", "\"max_age_ms\": 20", StringComparison.Ordinal));
        var tight = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "check", "--robot", path, "--seconds", "0.5", "--json");

        Assert.Contains("warning: observation shoulder_pan: max_age_ms 20 leaves no room for one lost answer on follower (its samples are then up to 25 ms apart", tight.Stderr, StringComparison.Ordinal);
        Assert.Equal(50, tight.Json.GetProperty("observations")[0].GetProperty("suggested_max_age_ms").GetDouble());
    }

    [Fact]
    public async Task Calibrate_stopped_by_Ctrl_C_writes_nothing_and_says_so()
    {
        string path = Sample(Patient);
        string before = File.ReadAllText(path);
        using var calibrate = Robotics.Tests.Cli.ControllerProcess.Start(["calibrate", "--robot", path, "--range", "600"]);
        await calibrate.WaitForLineAsync(line => line.StartsWith("move every joint", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        calibrate.Signal("INT");

        Assert.Equal(130, await calibrate.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(calibrate.StdoutLines, line => line == $"calibration interrupted by SIGINT: {path} unchanged");
        Assert.Equal(before, File.ReadAllText(path));
        Assert.All(Arm, id => Assert.Equal(0, _follower.Writes(id, FeetechEmulator.TorqueEnable)));
    }

    [Fact]
    public void Check_fails_naming_an_observation_that_cannot_be_fresh_enough()
    {
        // 5 ms samples can never be younger than 1 µs.
        string path = Sample();
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"max_age_ms\": 50", "\"max_age_ms\": 0.001", StringComparison.Ordinal));

        var run = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "check", "--robot", path, "--seconds", "0.5");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: observation", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("was stale (oldest ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("check failed", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The sample for tests whose subject is not the bus's timing: lenient ages, and answers awaited 100 ms rather
    /// than 10 (the emulators share a loaded test host's cores, and a late answer at open would fail the start).
    /// </summary>
    private string Patient(string text)
    {
        string patient = LenientAges.Of(text);
        foreach (var line in new[] { _followerLine, _leaderLine })
        {
            string port = $"\"port\": \"{line.Driver}\",";
            Assert.Contains(port, patient);
            patient = patient.Replace(port, $"{port} \"timeout_ms\": 100,", StringComparison.Ordinal);
        }
        return patient;
    }

    /// <summary>The sample's text with <paramref name="settings"/> added to the follower's settings.</summary>
    private string FollowerSettings(string text, string settings)
    {
        string port = $"\"port\": \"{_followerLine.Driver}\",";
        Assert.Contains(port, text);
        return text.Replace(port, $"{port} {settings},", StringComparison.Ordinal);
    }

    private static async Task<LoopEvent> NextEvent(EventFanout.Subscription events, LoopEventKind kind)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var e = await events.Reader.ReadAsync(patience.Token);
            if (e.Kind == kind)
            {
                return e;
            }
        }
    }

    /// <summary>The sample as shipped, with its two ports pointed at the pseudo-terminals.</summary>
    private string Sample(Func<string, string>? edit = null)
    {
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "Hardware", "Samples", "so101-leader-follower.json"))
            .Replace("/dev/ttyACM0", _followerLine.Driver, StringComparison.Ordinal)
            .Replace("/dev/ttyACM1", _leaderLine.Driver, StringComparison.Ordinal);
        string path = _directory.File("so101.json");
        File.WriteAllText(path, edit is null ? text : edit(text));
        return path;
    }
}
