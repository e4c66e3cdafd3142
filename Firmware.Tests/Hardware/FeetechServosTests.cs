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
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default);
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
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), "torque still on after the loop stopped");
            Thread.Sleep(5);
        }
    }
}
