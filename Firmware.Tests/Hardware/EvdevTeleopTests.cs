using System.Text.Json;
using Robotics.Controller.Benchmarks;
using Robotics.Controller.Loop;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Protos.Log;
using Robotics.Tests.Support;
using static Robotics.Tests.Support.EventFifo;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

/// <summary>
/// A pan-tilt head (two emulated Feetech servos on a pseudo-terminal) driven in teleop mode from a gamepad
/// stick and a keyboard's W/S keys, both on one evdev device (a FIFO standing in for /dev/input/eventN),
/// loaded from a robot config and run through the control loop.
/// </summary>
[Collection(SerialLines.Name)]
public sealed class EvdevTeleopTests : IDisposable
{
    private const double Step = 0.0015339808;
    private static readonly TimeSpan Patience = Waits.Patience;
    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _line = new();
    private readonly FeetechEmulator _head;
    private readonly EventFifo _pad;

    public EvdevTeleopTests()
    {
        _head = new FeetechEmulator(_line.Device, 1, 2);
        _pad = new EventFifo(_directory.File("event-joystick"));
    }

    public void Dispose()
    {
        _head.Dispose();
        _line.Dispose();
        _pad.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_stick_and_keys_drive_the_actions_and_an_unplugged_pad_sends_the_safe_action()
    {
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(Config()), DeviceRegistry.Default);
        Assert.True(robot.HasTeleop);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false };
        using var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot));
        var tick = new LatestTick(loop);
        bool Latest(ActionSource source, float pan, float tilt) =>
            tick.Refresh() && tick.Header.Source == source && Math.Abs(tick.Action[0] - pan) < 1e-4 && Math.Abs(tick.Action[1] - tilt) < 1e-4;
        void Expect(ActionSource source, float pan, float tilt, string what) =>
            Assert.True(SpinWait.SpinUntil(() => Latest(source, pan, tilt), Patience), $"{what}: tick {tick.Header.LoopTick} {tick.Header.Source} ({string.Join(", ", tick.Action)})");

        loop.Start();

        // Centred stick, no key: pan 0, tilt at its teleop offset 0.2 rad (not the safe 0).
        Expect(ActionSource.Teleop, 0, 0.2f, "at rest");
        // Stick fully right and W held: pan 1 rad, tilt 1 × 0.5 + 0.2 rad.
        _pad.Frame((Absolute, AbsX, 32767), (Key, KeyW, 1));
        Expect(ActionSource.Teleop, 1, 0.7f, "stick right, W");
        // The servos were sent the goals: (action − offset) / scale steps.
        Assert.True(SpinWait.SpinUntil(() => _head.ReadUInt16(1, FeetechEmulator.GoalPosition) == 2700 && _head.ReadUInt16(2, FeetechEmulator.GoalPosition) == 2504, Patience),
            $"goals {_head.ReadUInt16(1, FeetechEmulator.GoalPosition)}, {_head.ReadUInt16(2, FeetechEmulator.GoalPosition)}");
        // Stick half left and S instead of W: x = −16383.5 / 32767.5 = −0.499992, −(0.499992 − 0.05) / 0.95 = −0.473676.
        _pad.Frame((Absolute, AbsX, -16384), (Key, KeyW, 0), (Key, KeyS, 1));
        Expect(ActionSource.Teleop, -0.473676f, -0.3f, "stick half left, S");

        // The pad is pulled: its sample ages past max_age_ms and the loop sends the safe action.
        _pad.Unplug();
        Expect(ActionSource.Safety, 0, 0, "unplugged");

        loop.RequestStop();
        var report = loop.WaitForExit();
        Assert.Equal(0, report.Faults);
    }

    /// <summary>The robot config: the pad's stick and key axis as the teleop sources of the head's two goals.</summary>
    private string Config()
    {
        var config = new
        {
            name = "pan-tilt",
            rate_hz = 100,
            devices = new object[]
            {
                new
                {
                    name = "pad",
                    type = "evdev",
                    settings = new
                    {
                        path = _pad.Path,
                        axes = new[] { new { code = "ABS_X", min = -32768, max = 32767 } },
                        key_axes = new[] { new { name = "tilt", positive = "KEY_W", negative = "KEY_S" } },
                    },
                },
                new { name = "head", type = "feetech-sts", settings = new { port = _line.Driver, ids = new[] { 1, 2 }, timeout_ms = 100 } },
            },
            // Ages of a second and a patient bus: this test is about what the pad drives, not about timing, and a loaded
            // machine can hold a poll back for a tenth of a second; the pulled pad still ages out within the test's patience.
            observations = new[]
            {
                new { name = "pan", unit = "rad", source = "head.1.position", scale = Step, offset = -Math.PI, max_age_ms = 1000 },
                new { name = "tilt", unit = "rad", source = "head.2.position", scale = Step, offset = -Math.PI, max_age_ms = 1000 },
            },
            actions = new[]
            {
                new
                {
                    name = "pan_goal", unit = "rad", target = "head.1.goal_position", min = -1.5, max = 1.5, safe = 0.0, scale = Step, offset = -Math.PI,
                    teleop = new { source = "pad.abs_x", scale = 1.0, offset = 0.0, max_age_ms = 1000 },
                },
                new
                {
                    name = "tilt_goal", unit = "rad", target = "head.2.goal_position", min = -1.5, max = 1.5, safe = 0.0, scale = Step, offset = -Math.PI,
                    teleop = new { source = "pad.tilt", scale = 0.5, offset = 0.2, max_age_ms = 1000 },
                },
            },
        };
        string path = _directory.File("pan-tilt.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }
}
