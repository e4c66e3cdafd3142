using Robotics.Controller.Loop;
using Robotics.Hardware.Buses.Dynamixel;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Protos;
using Robotics.Controller.Benchmarks;
using Robotics.Tests.Support;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>dynamixel</c> device from a robot config, over a pseudo-terminal, against emulated X-series servos.</summary>
[Collection(SerialLines.Name)]
public sealed class DynamixelServosTests : IDisposable
{
    private static readonly byte[] Arm = [1, 2, 3, 4, 5, 6];
    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _line = new();
    private DynamixelEmulator _servos;

    public DynamixelServosTests() => _servos = new DynamixelEmulator(_line.Device, Arm);

    public void Dispose()
    {
        _servos.Dispose();
        _line.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_loop_drives_six_servos_from_a_config_and_torque_is_on_only_while_it_runs()
    {
        using var robot = Robot();
        Assert.All(Arm, id => Assert.Equal(0, _servos.ReadByte(id, DynamixelEmulator.TorqueEnable)));

        // Every joint commanded to +0.5 rad: the config maps it to 2048 + 0.5 / (2π / 4096) ≈ 2374 ticks.
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(0.5) };
        using (var loop = new ControlLoop(robot, options, null, new ConstantOperator(0.5f)))
        {
            loop.Start();
            WaitUntil(() => _servos.ReadByte(6, DynamixelEmulator.TorqueEnable) == 1);
            var report = loop.WaitForExit();
            Assert.Equal(0, report.Faults);
        }

        Assert.All(Arm, id => Assert.InRange(_servos.ReadInt32(id, DynamixelEmulator.GoalPosition), 2373, 2375));
        WaitUntil(() => Arm.All(id => _servos.ReadByte(id, DynamixelEmulator.TorqueEnable) == 0));
    }

    [Fact]
    public void Halt_turns_torque_off_and_resume_turns_it_back_on_with_the_next_command()
    {
        using var robot = Robot();
        robot.Start();
        var action = new float[6];
        robot.Write(action, MonotonicClock.NowNs());
        WaitUntil(() => _servos.ReadByte(1, DynamixelEmulator.TorqueEnable) == 1);

        robot.Halt();
        WaitUntil(() => _servos.ReadByte(1, DynamixelEmulator.TorqueEnable) == 0);
        robot.Resume();
        robot.Write(action, MonotonicClock.NowNs());
        WaitUntil(() => _servos.ReadByte(1, DynamixelEmulator.TorqueEnable) == 1);
        robot.Stop();

        WaitUntil(() => Arm.All(id => _servos.ReadByte(id, DynamixelEmulator.TorqueEnable) == 0));
    }

    [Fact]
    public void A_pose_halt_sends_each_servo_to_its_goal_with_torque_on_and_the_stop_leaves_them_there()
    {
        // Within the position limits the ±1.5 rad actions map to (1070–3026).
        int[] pose = [1100, 1200, 1300, 1400, 1500, 1600];
        using var robot = Robot($"\"halt\": \"pose\", \"halt_pose\": [{string.Join(", ", pose)}]");
        robot.Start();
        // 0 rad everywhere: step 2048.
        var action = new float[6];
        robot.Write(action, MonotonicClock.NowNs());
        WaitUntil(() => Arm.All(id => _servos.ReadByte(id, DynamixelEmulator.TorqueEnable) == 1 && _servos.ReadInt32(id, DynamixelEmulator.GoalPosition) == 2048));

        robot.Halt();
        WaitUntil(() => Arm.All(id => _servos.ReadInt32(id, DynamixelEmulator.GoalPosition) == pose[id - 1]));
        Assert.All(Arm, id => Assert.Equal(1, _servos.ReadByte(id, DynamixelEmulator.TorqueEnable)));

        // Resumed, it drives again; stopped, it goes back to the pose and keeps torque on.
        robot.Resume();
        robot.Write(action, MonotonicClock.NowNs());
        WaitUntil(() => Arm.All(id => _servos.ReadInt32(id, DynamixelEmulator.GoalPosition) == 2048));
        robot.Stop();
        Assert.All(Arm, id => Assert.Equal(pose[id - 1], _servos.ReadInt32(id, DynamixelEmulator.GoalPosition)));
        Assert.All(Arm, id => Assert.Equal(1, _servos.ReadByte(id, DynamixelEmulator.TorqueEnable)));
    }

    [Fact]
    public void A_halt_pose_beyond_a_servos_position_limits_is_refused_at_start_naming_it()
    {
        using var robot = Robot("\"halt\": \"pose\", \"halt_pose\": [2048, 2048, 1000, 2048, 2048, 2048]");

        var error = Assert.Throws<InvalidDataException>(robot.Start);

        Assert.Equal("arm: settings.halt_pose[2]: 1000 is outside servo 3's position limits 1070–3026, which its action's min and max map to: the servo would not go there", error.Message);
        Assert.All(Arm, id => Assert.Equal(0, _servos.ReadByte(id, DynamixelEmulator.TorqueEnable)));
    }

    [Fact]
    public void An_adapter_that_is_pulled_out_and_plugged_back_in_is_reopened()
    {
        using var robot = Robot();
        robot.Start();
        var servos = (DynamixelServos)robot.Devices[0];
        WaitUntil(() => servos.Polls > 3);

        _servos.Dispose();
        _line.Replug();
        _servos = new DynamixelEmulator(_line.Device, Arm);
        long polls = servos.Polls;

        WaitUntil(() => servos.Reopens >= 1 && servos.Polls > polls + 3);
        Assert.True(servos.Errors > 0);
        robot.Stop();
    }

    [Fact]
    public async Task The_status_call_shows_each_devices_health_counters()
    {
        using var robot = Robot();
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(1) };
        await using var harness = await RobotHarness.StartAsync(robot, options, @operator: new ConstantOperator(0));
        _servos.CorruptAnswers = 1;
        var counters = () => ((DynamixelServos)robot.Devices[0]).Counters;
        WaitUntil(() => counters()["retried"] >= 1 && counters()["polls"] > 0);
        using var channel = harness.Channel();

        var status = await new Robotics.Protos.Control.Telemetry.TelemetryClient(channel).GetStatusAsync(new Robotics.Protos.Control.StatusRequest());

        var device = Assert.Single(status.Devices);
        Assert.Equal("arm", device.Name);
        Assert.True(device.Counters["polls"] > 0);
        Assert.True(device.Counters["retried"] >= 1);
        Assert.Equal(0, device.Counters["reopens"]);
    }

    [Fact]
    public void Answers_slower_than_the_polling_timeout_do_not_stop_the_bus_opening_and_polling_keeps_that_timeout()
    {
        // 40 ms: past three tries of the 10 ms polling timeout, within the patience the bus has while it opens.
        _servos.AnswerDelay = TimeSpan.FromMilliseconds(40);
        string path = _directory.File("slow.json");
        File.WriteAllText(path, Config($"\"port\": \"{_line.Driver}\", \"ids\": [1, 2, 3, 4, 5, 6], \"timeout_ms\": 10", joints: 6));
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default);

        robot.Start();

        var counters = () => ((DynamixelServos)robot.Devices[0]).Counters;
        WaitUntil(() => counters()["retried"] >= 1);
        _servos.AnswerDelay = TimeSpan.Zero;
        robot.Stop();
    }

    [Fact]
    public void Opening_sets_each_servo_up_with_position_limits_from_the_actions_and_writes_nothing_to_a_servo_already_set_up()
    {
        // A mixed chain as found: an XM430-W350 among the XL330s, one in Extended Position Control Mode, one answering
        // pings and reads only, one with torque left on by a crashed run; all with the initial 500 µs return delay.
        _servos.WriteUInt16(2, DynamixelEmulator.ModelNumber, DynamixelEmulator.Xm430W350Model);
        _servos.WriteByte(3, DynamixelEmulator.OperatingMode, 4);
        _servos.WriteByte(4, DynamixelEmulator.StatusReturnLevel, 1);
        _servos.WriteByte(5, DynamixelEmulator.TorqueEnable, 1);

        using (var robot = Robot())
        {
            robot.Start();
            robot.Stop();
        }

        Assert.All(Arm, id => Assert.Equal(0, _servos.ReadByte(id, DynamixelEmulator.ReturnDelayTime)));
        Assert.All(Arm, id => Assert.Equal(2, _servos.ReadByte(id, DynamixelEmulator.StatusReturnLevel)));
        Assert.All(Arm, id => Assert.Equal(DynamixelEmulator.PositionControlMode, _servos.ReadByte(id, DynamixelEmulator.OperatingMode)));
        Assert.Equal(0, _servos.ReadByte(5, DynamixelEmulator.TorqueEnable));
        // ±1.5 rad: (±1.5 + 3.1415927) / 0.0015339808 = 1070.2 and 3025.8 ticks, rounded outwards.
        Assert.All(Arm, id => Assert.Equal(1070, _servos.ReadInt32(id, DynamixelEmulator.MinPositionLimit)));
        Assert.All(Arm, id => Assert.Equal(3026, _servos.ReadInt32(id, DynamixelEmulator.MaxPositionLimit)));

        // Opened again, every servo already holds its values: the EEPROM area gets no write at all.
        int[] before = [.. Arm.Select(EepromWrites)];
        using (var robot = Robot())
        {
            robot.Start();
            robot.Stop();
        }
        Assert.Equal(before, Arm.Select(EepromWrites));
    }

    [Fact]
    public void A_negative_scale_swaps_the_actions_min_and_max_into_the_position_limits()
    {
        // A joint mounted the other way round: ±1.5 rad is (±1.5 − 3.1415927) / −0.0015339808 = 3025.8 and 1070.2 ticks.
        using var robot = RobotMappingGoals("\"scale\": -0.0015339808, \"offset\": 3.1415927");
        robot.Start();
        robot.Stop();

        Assert.All(Arm, id => Assert.Equal(1070, _servos.ReadInt32(id, DynamixelEmulator.MinPositionLimit)));
        Assert.All(Arm, id => Assert.Equal(3026, _servos.ReadInt32(id, DynamixelEmulator.MaxPositionLimit)));
    }

    [Fact]
    public void Actions_whose_limits_map_beyond_the_servos_positions_are_refused_at_open()
    {
        // An offset of −10 rad puts ±1.5 rad at 5541.1 and 7496.8 ticks, past the 4,095 a servo turns to.
        using var robot = RobotMappingGoals("\"scale\": 0.0015339808, \"offset\": -10");

        var error = Assert.Throws<InvalidDataException>(robot.Start);
        robot.Stop();

        Assert.Equal("arm: 1.goal_position: the actions' limits map to 5541–7497, outside the servo's positions 0–4095", error.Message);
    }

    [Fact]
    public void A_model_with_another_control_table_is_refused_at_open_naming_it_before_anything_is_written()
    {
        _servos.WriteUInt16(4, DynamixelEmulator.ModelNumber, DynamixelEmulator.Xl320Model);
        using var robot = Robot();

        var error = Assert.Throws<InvalidDataException>(robot.Start);
        robot.Stop();

        Assert.StartsWith("arm: servo 4 reports model number 350 (XL-320), whose control table this driver does not know; it drives the Dynamixel X-series: XL330-M077 (1190), XL330-M288 (1200), ",
            error.Message, StringComparison.Ordinal);
        Assert.Contains("XM430-W350 (1020)", error.Message, StringComparison.Ordinal);
        Assert.All(Arm, id => Assert.Equal(0, EepromWrites(id)));
    }

    [Fact]
    public void A_servo_that_does_not_take_a_setting_stops_the_start_naming_it()
    {
        _servos.Ignores.Add((5, DynamixelEmulator.ReturnDelayTime));
        using var robot = Robot();

        var error = Assert.Throws<InvalidDataException>(robot.Start);
        robot.Stop();

        Assert.Equal("arm: servo 5 did not take Return Delay Time = 0 (address 9): it reads back 250", error.Message);
    }

    /// <summary>Writes the servo received to its EEPROM area (addresses 0–63).</summary>
    private int EepromWrites(byte id) => Enumerable.Range(0, DynamixelEmulator.TorqueEnable).Sum(address => _servos.Writes(id, (ushort)address));

    /// <summary>The robot of <see cref="Robot"/> with the actions' scale and offset as <paramref name="goalMapping"/> writes them.</summary>
    private ConfiguredRobot RobotMappingGoals(string goalMapping)
    {
        string path = _directory.File("koch.json");
        string config = Config($"\"port\": \"{_line.Driver}\", \"ids\": [1, 2, 3, 4, 5, 6], \"timeout_ms\": 100", joints: 6)
            .Replace("\"safe\": 0, \"scale\": 0.0015339808, \"offset\": -3.1415927", $"\"safe\": 0, {goalMapping}", StringComparison.Ordinal);
        File.WriteAllText(path, config);
        return new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default);
    }

    [Theory]
    [InlineData("\"ids\": []", "devices[0].settings.ids: required, a non-empty list of numbers")]
    [InlineData("\"ids\": [1, 1]", "devices[0].settings.ids: lists a number twice")]
    [InlineData("\"ids\": [1], \"baud\": 12", "devices[0].settings.baud: must be a whole number from 9600 to 4500000")]
    [InlineData("\"ids\": [1], \"halt\": \"brake\"", "devices[0].settings.halt: must be one of torque_off, hold, pose")]
    [InlineData("\"ids\": [1, 2], \"halt\": \"pose\", \"halt_pose\": [2048]", "devices[0].settings.halt_pose: required with \"halt\": \"pose\": one goal per servo of ids (2), got 1")]
    [InlineData("\"ids\": [1], \"halt\": \"pose\", \"halt_pose\": [5000]", "devices[0].settings.halt_pose[0]: must be a whole number from 0 to 4095 (a goal in the servo's steps)")]
    [InlineData("\"ids\": [1], \"halt_pose\": [2048]", "devices[0].settings.halt_pose: is only for \"halt\": \"pose\"")]
    [InlineData("\"ids\": [1], \"halt_confirm_ms\": 0", "devices[0].settings.halt_confirm_ms: must be a whole number from 1 to 10000")]
    public void Bad_settings_name_the_field(string settings, string message)
    {
        string path = _directory.File("bad.json");
        File.WriteAllText(path, Config($"\"port\": \"{_line.Driver}\", {settings}", joints: 1));

        var error = Assert.Throws<InvalidDataException>(() => new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default));

        Assert.Equal($"{path}: {message}", error.Message);
    }

    [Fact]
    public async Task A_controller_killed_by_SIGKILL_leaves_the_servos_stopped_by_their_bus_watchdog()
    {
        string path = _directory.File("koch.json");
        File.WriteAllText(path, Config($"\"port\": \"{_line.Driver}\", \"ids\": [1, 2, 3, 4, 5, 6], \"timeout_ms\": 100, \"bus_watchdog_ms\": 100", joints: 6));
        // Teleop with a remote operator who never connects: the loop sends the safe pose, torque on.
        using var controller = Robotics.Tests.Cli.ControllerProcess.Start(["run", "--robot", path, "--mode", "teleop", "--duration", "10m", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token]);
        WaitUntil(() => Arm.All(id => _servos.ReadByte(id, DynamixelEmulator.TorqueEnable) == 1), TimeSpan.FromSeconds(60));
        Assert.All(Arm, id => Assert.Equal(5, _servos.ReadByte(id, DynamixelEmulator.BusWatchdog)));
        Assert.DoesNotContain(Arm, id => _servos.WatchdogTripped(id));

        controller.Kill();

        // 100 ms of silence trips them; the bound only waits, it does not time them.
        WaitUntil(() => Arm.All(_servos.WatchdogTripped), TimeSpan.FromSeconds(30));
        Assert.All(Arm, id => Assert.Equal(1, _servos.ReadByte(id, DynamixelEmulator.TorqueEnable)));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_clean_stop_turns_torque_off_and_clears_the_bus_watchdog_and_a_restart_clears_a_trip()
    {
        string path = _directory.File("koch.json");
        File.WriteAllText(path, Config($"\"port\": \"{_line.Driver}\", \"ids\": [1, 2, 3, 4, 5, 6], \"timeout_ms\": 100", joints: 6));
        // A trip left behind by a crashed run: goals are refused until it is cleared.
        foreach (byte id in Arm)
        {
            _servos.WriteByte(id, DynamixelEmulator.BusWatchdog, 0xFF);
        }
        using var controller = Robotics.Tests.Cli.ControllerProcess.Start(["run", "--robot", path, "--mode", "teleop", "--duration", "10m", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token]);
        WaitUntil(() => Arm.All(id => _servos.ReadByte(id, DynamixelEmulator.TorqueEnable) == 1), TimeSpan.FromSeconds(60));
        Assert.All(Arm, id => Assert.Equal(5, _servos.ReadByte(id, DynamixelEmulator.BusWatchdog)));

        controller.Signal("TERM");
        Assert.Equal(143, await controller.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.All(Arm, id => Assert.Equal(0, _servos.ReadByte(id, DynamixelEmulator.TorqueEnable)));
        Assert.All(Arm, id => Assert.Equal(0, _servos.ReadByte(id, DynamixelEmulator.BusWatchdog)));
    }

    private ConfiguredRobot Robot(string moreSettings = "")
    {
        string path = _directory.File("koch.json");
        string more = moreSettings.Length == 0 ? "" : ", " + moreSettings;
        File.WriteAllText(path, Config($"\"port\": \"{_line.Driver}\", \"ids\": [1, 2, 3, 4, 5, 6], \"timeout_ms\": 100{more}", joints: 6));
        return new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default);
    }

    /// <summary>A six-joint arm: positions in radians from ticks (2π/4096 per tick, 2048 at zero).</summary>
    private static string Config(string settings, int joints)
    {
        var ids = Enumerable.Range(1, joints);
        string observations = string.Join(",\n", ids.Select(id =>
            $"{{ \"name\": \"joint{id}\", \"unit\": \"rad\", \"source\": \"arm.{id}.position\", \"scale\": 0.0015339808, \"offset\": -3.1415927, \"max_age_ms\": 500 }}"));
        string actions = string.Join(",\n", ids.Select(id =>
            $"{{ \"name\": \"joint{id}_goal\", \"unit\": \"rad\", \"target\": \"arm.{id}.goal_position\", \"min\": -1.5, \"max\": 1.5, \"safe\": 0, \"scale\": 0.0015339808, \"offset\": -3.1415927 }}"));
        return $$"""
            {
              "name": "koch-follower",
              "rate_hz": 100,
              "devices": [ { "name": "arm", "type": "dynamixel", "settings": { {{settings}} } } ],
              "observations": [ {{observations}} ],
              "actions": [ {{actions}} ]
            }
            """;
    }

    private static void WaitUntil(Func<bool> condition, TimeSpan? patience = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < (patience ?? Waits.Patience), "timed out waiting");
            Thread.Sleep(5);
        }
    }
}

[Collection(SerialLines.Name)]
public sealed class BenchServosCommandTests
{
    [Theory]
    [InlineData("dynamixel")]
    [InlineData("feetech-sts")]
    public void Bench_servos_times_a_period_of_six_servos_over_a_pseudo_terminal(string protocol)
    {
        var run = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "bench", "servos", "--protocol", protocol, "--seconds", "0.5", "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = run.Json;
        Assert.Equal(protocol, json.GetProperty("protocol").GetString());
        Assert.Equal(6, json.GetProperty("servos").GetInt32());
        Assert.True(json.GetProperty("periods").GetInt64() > 10);
        Assert.Equal(0, json.GetProperty("failures").GetInt64());
        var roundTrip = json.GetProperty("round_trip_us");
        Assert.True(roundTrip.GetProperty("p50").GetDouble() > 0);
        Assert.True(roundTrip.GetProperty("p99").GetDouble() >= roundTrip.GetProperty("p50").GetDouble());
    }

    [Fact]
    public void Bench_servos_names_the_protocols_it_knows()
    {
        var run = Robotics.Tests.Cli.CliRun.Of(Robotics.Controller.Cli.ControllerCli.Build(), "bench", "servos", "--protocol", "herkulex", "--seconds", "0.1");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--protocol: must be one of dynamixel, feetech-sts", run.Stderr, StringComparison.Ordinal);
    }
}
