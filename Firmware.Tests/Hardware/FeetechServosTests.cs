using Robotics.Controller.Benchmarks;
using Robotics.Controller.Loop;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Tests.Support;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>feetech-sts</c> device from an SO-101-style config, over a pseudo-terminal, against emulated STS3215 servos.</summary>
[Collection(SerialLines.Name)]
public sealed class FeetechServosTests : IDisposable
{
    private static readonly byte[] Arm = [1, 2, 3, 4, 5, 6];
    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _line = new();
    private readonly FeetechEmulator _servos;

    public FeetechServosTests() => _servos = new FeetechEmulator(_line.Device, Arm);

    public void Dispose()
    {
        _servos.Dispose();
        _line.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_loop_drives_an_so101_follower_and_torque_is_on_only_while_it_runs()
    {
        using var robot = Robot();
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(0.5) };

        using (var loop = new ControlLoop(robot, options, null, new ConstantOperator(0.5f)))
        {
            loop.Start();
            var report = loop.WaitForExit();
            Assert.Equal(0, report.Faults);
        }

        // +0.5 rad is 2048 + 0.5 / (2π / 4096) ≈ 2374 steps.
        Assert.All(Arm, id => Assert.InRange(_servos.ReadUInt16(id, FeetechEmulator.GoalPosition), 2373, 2375));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!Arm.All(id => _servos.ReadByte(id, FeetechEmulator.TorqueEnable) == 0))
        {
            Assert.True(waited.Elapsed < Waits.Patience, "torque still on after the loop stopped");
            Thread.Sleep(5);
        }
    }

    [Fact]
    public void Opening_sets_each_servo_up_through_the_eeprom_lock_so_it_lasts_and_writes_nothing_to_a_servo_already_set_up()
    {
        // Servo 3 answers reads and pings only; servo 4 is in step mode.
        _servos.WriteByte(3, FeetechEmulator.ResponseStatusLevel, 0);
        _servos.WriteByte(4, FeetechEmulator.OperatingMode, 3);

        using (var robot = Robot())
        {
            robot.Start();
            robot.Stop();
        }
        // Written unlocked, locked again: the values outlive a power cycle.
        Assert.All(Arm, id => Assert.Equal(1, _servos.ReadByte(id, FeetechEmulator.Lock)));
        foreach (byte id in Arm)
        {
            _servos.PowerCycle(id);
        }

        Assert.All(Arm, id => Assert.Equal(0, _servos.ReadByte(id, FeetechEmulator.ReturnDelayTime)));
        Assert.All(Arm, id => Assert.Equal(1, _servos.ReadByte(id, FeetechEmulator.ResponseStatusLevel)));
        Assert.All(Arm, id => Assert.Equal(0, _servos.ReadByte(id, FeetechEmulator.OperatingMode)));
        // ±1.5 rad: (±1.5 + 3.1415927) / 0.0015339808 = 1070.2 and 3025.8 steps, rounded outwards.
        Assert.All(Arm, id => Assert.Equal(1070, _servos.ReadUInt16(id, FeetechEmulator.MinAngleLimit)));
        Assert.All(Arm, id => Assert.Equal(3026, _servos.ReadUInt16(id, FeetechEmulator.MaxAngleLimit)));

        // Opened again, every servo already holds its values: no EEPROM write, and the lock is left alone.
        int[] before = [.. Arm.Select(Setup)];
        using (var robot = Robot())
        {
            robot.Start();
            robot.Stop();
        }
        Assert.Equal(before, Arm.Select(Setup));
    }

    [Fact]
    public void A_model_with_another_control_table_is_refused_at_open_naming_it_before_anything_is_written()
    {
        _servos.WriteUInt16(2, FeetechEmulator.ModelNumber, FeetechEmulator.Scs0009Model);
        using var robot = Robot();

        var error = Assert.Throws<InvalidDataException>(robot.Start);
        robot.Stop();

        Assert.Equal("arm: servo 2 reports model number 1284 (SCS0009), whose control table this driver does not know; it drives the Feetech STS: STS3215 (777)", error.Message);
        Assert.All(Arm, id => Assert.Equal(0, Setup(id)));
    }

    [Fact]
    public void A_servo_that_does_not_take_a_limit_stops_the_start_naming_it()
    {
        _servos.Ignores.Add((6, FeetechEmulator.MaxAngleLimit));
        using var robot = Robot();

        var error = Assert.Throws<InvalidDataException>(robot.Start);
        robot.Stop();

        Assert.Equal("arm: servo 6 did not take Max Angle Limit = 3026 (address 11): it reads back 4095", error.Message);
    }

    /// <summary>Writes the servo received to its EEPROM area (addresses 0–39) and its Lock.</summary>
    private int Setup(byte id) =>
        Enumerable.Range(0, FeetechEmulator.TorqueEnable).Sum(address => _servos.Writes(id, (ushort)address)) + _servos.Writes(id, FeetechEmulator.Lock);

    /// <summary>An SO-101-style follower: joints in radians from steps (2π/4096 per step, 2048 at zero), goals within ±1.5 rad.</summary>
    private ConfiguredRobot Robot()
    {
        string joints = string.Join(",\n", Arm.Select(id =>
            $"{{ \"name\": \"joint{id}\", \"unit\": \"rad\", \"source\": \"arm.{id}.position\", \"scale\": 0.0015339808, \"offset\": -3.1415927, \"max_age_ms\": 500 }}"));
        string goals = string.Join(",\n", Arm.Select(id =>
            $"{{ \"name\": \"joint{id}_goal\", \"unit\": \"rad\", \"target\": \"arm.{id}.goal_position\", \"min\": -1.5, \"max\": 1.5, \"safe\": 0, \"scale\": 0.0015339808, \"offset\": -3.1415927 }}"));
        string path = _directory.File("so101.json");
        File.WriteAllText(path, $$"""
            {
              "name": "so101-follower",
              "rate_hz": 100,
              "devices": [ { "name": "arm", "type": "feetech-sts", "settings": { "port": "{{_line.Driver}}", "ids": [1, 2, 3, 4, 5, 6], "timeout_ms": 100 } } ],
              "observations": [ {{joints}} ],
              "actions": [ {{goals}} ]
            }
            """);
        return new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default);
    }
}
