using System.Device.Gpio;
using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Hardware.Config;
using Robotics.Protos;
using Robotics.Tests.Support;
using Robotics.Tests.Support.Chips;

namespace Robotics.Tests.Hardware;

/// <summary>
/// The shipped rover config, its chips simulated at register level on a simulated I2C bus and GPIO chip, its
/// gamepad a FIFO of real input events.
/// </summary>
public sealed class RoverSampleTests : IDisposable
{
    private const int EmergencyStopPin = 17;
    // ABS_RY, the right stick's vertical axis (linux/input-event-codes.h).
    private const ushort AbsRy = 0x04;
    // One count of the PCA9685's 12-bit counter at 50 Hz.
    private const double OneCountUs = 20_000.0 / 4096;

    private readonly TempDirectory _directory = new();
    private readonly SimulatedMpu6050 _imu = new();
    private readonly SimulatedIna219 _battery = new(0x41);
    private readonly SimulatedPca9685 _motors = new(0x40);
    private readonly SimulatedBoard _board;
    private readonly EventFifo _pad;

    public RoverSampleTests()
    {
        _board = new SimulatedBoard(_imu, _battery, _motors);
        _pad = new EventFifo(_directory.File("pad"));
        // The normally-closed stop button, released: it holds the pin at ground.
        _board.Gpio.Drive(EmergencyStopPin, PinValue.Low);
    }

    public void Dispose()
    {
        _pad.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task The_gamepad_drives_the_escs_the_loop_reads_imu_and_battery_and_the_stop_button_latches_the_stop()
    {
        // At rest on a slope, turning at 10 °/s; 5 A out of a 12 V battery (50 mV across 0.01 Ω).
        // 8192 LSB/g at ±4 g, 65.5 LSB/(°/s) at ±500 °/s (MPU-6050 Register Map §4.17, §4.19).
        _imu.Measure(1024, 0, 8192, 0, 0, 655);
        _battery.Measure(0.050, 12.0);
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(Sample(LenientAges.Of)), _board.Registry);
        var options = new LoopOptions { RateHz = 50, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(60) };
        Assert.True(robot.HasTeleop);
        using var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot));
        using var hub = new EventHub(loop);
        using var events = hub.Subscribe();
        await using var plane = new ControlPlane(loop, hub);

        loop.Start();
        Assert.True(SpinWait.SpinUntil(() => _pad.Connected, Waits.Patience));
        // Left stick full up, right stick full down (evdev: up is negative; the config inverts both).
        _pad.Frame((EventFifo.Absolute, EventFifo.AbsY, -32768), (EventFifo.Absolute, AbsRy, 32767));

        // Throttles 1 and -1: 2000 µs and 1000 µs once the 4/s rate limit has ramped them.
        Assert.True(SpinWait.SpinUntil(() => Near(_motors.PulseMicroseconds(0), 2000) && Near(_motors.PulseMicroseconds(1), 1000), Waits.Patience),
            $"pulses {_motors.PulseMicroseconds(0)}, {_motors.PulseMicroseconds(1)}");

        // Pressed: the button opens and the pull-up takes the pin high.
        _board.Gpio.Drive(EmergencyStopPin, null);
        Assert.True(SpinWait.SpinUntil(() => loop.Mailbox.StopLatched && Near(_motors.PulseMicroseconds(0), 1500) && Near(_motors.PulseMicroseconds(1), 1500), Waits.Patience), "the stop button sends both ESCs to neutral");

        // A release by an operator while the button is still pressed is refused: the stop holds.
        var refused = await Assert.ThrowsAsync<ControlRefusedException>(() => plane.ReleaseEmergencyStopAsync(CancellationToken.None));
        Assert.Contains("stop input is still active", refused.Message);
        Assert.True(loop.Mailbox.StopLatched);
        Assert.True(Near(_motors.PulseMicroseconds(0), 1500), "still neutral while the button is pressed");
        _pad.Frame((EventFifo.Absolute, EventFifo.AbsY, -16384), (EventFifo.Absolute, AbsRy, 0));

        // Button back up, then the operator's release: driving again.
        _board.Gpio.Drive(EmergencyStopPin, PinValue.Low);
        var panel = robot.Devices.Single(d => d.Name == "panel");
        var estop = new float[1];
        Assert.True(SpinWait.SpinUntil(() => panel.ReadLatest(estop) != long.MinValue && estop[0] == 0, Waits.Patience));
        await plane.ReleaseEmergencyStopAsync(CancellationToken.None);
        // Half up, beyond the 5 % dead zone rescaled: (0.5 − 0.05) / 0.95 of full throttle.
        double half = 1500 + 500 * (16384 / 32767.5 - 0.05) / 0.95;
        Assert.True(SpinWait.SpinUntil(() => !loop.Mailbox.StopLatched && Near(_motors.PulseMicroseconds(0), half) && Near(_motors.PulseMicroseconds(1), 1500), Waits.Patience),
            $"pulses {_motors.PulseMicroseconds(0)}, {_motors.PulseMicroseconds(1)}");

        loop.RequestStop();
        var report = loop.WaitForExit();
        Assert.Equal(0, report.Faults);
        hub.Flush();
        var stops = new List<LoopEvent>();
        while (events.Reader.TryRead(out var e))
        {
            stops.Add(e);
        }
        stops.RemoveAll(e => e.Kind != LoopEventKind.EmergencyStop);
        Assert.Equal("emergency stop input active (or unreadable) on the robot", Assert.Single(stops).Text);

        // Stopped: neutral, and what the robot last read.
        Assert.True(Near(_motors.PulseMicroseconds(0), 1500) && Near(_motors.PulseMicroseconds(1), 1500));
        var observation = new float[5];
        robot.Read(observation, MonotonicClock.NowNs(), out _);
        Assert.Equal(9.807f / 8, observation[0], 3);
        Assert.Equal(10 * MathF.PI / 180, observation[2], 0.0001f);
        Assert.Equal(12.0f, observation[3], 3);
        Assert.Equal(5.0f, observation[4], 3);
    }

    [Fact]
    public void A_stop_button_that_cannot_be_read_stops_the_robot_from_the_first_tick()
    {
        // The panel device reads nothing for longer than the stop's 50 ms: as good as pressed.
        string path = Sample(text => text.Replace("\"period_ms\": 2, \"inputs\"", "\"period_ms\": 1000, \"inputs\"", StringComparison.Ordinal));
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(path), _board.Registry);
        var options = new LoopOptions { RateHz = 50, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(60) };
        using var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot));

        loop.Start();

        Assert.True(SpinWait.SpinUntil(() => loop.Mailbox.StopLatched, Waits.Patience));
        loop.RequestStop();
        loop.WaitForExit();
        Assert.True(Near(_motors.PulseMicroseconds(0), 1500));
    }

    [Fact]
    public void Check_passes_with_the_stop_released_and_fails_naming_it_when_pressed()
    {
        _imu.Measure(0, 0, 8192, 0, 0, 0);
        var cli = Robotics.Controller.Cli.ControllerCli.Build(_board.Registry);

        var released = Robotics.Tests.Cli.CliRun.Of(cli, "check", "--robot", Sample(LenientAges.Of), "--seconds", "0.5", "--json");

        Assert.True(released.ExitCode == 0, released.Stderr + released.Stdout);
        Assert.Contains("device motors (pca9685): no inputs, answered when opened", released.Stdout, StringComparison.Ordinal);
        var json = released.Json;
        // 8192 LSB/g at ±4 g: one g.
        Assert.Equal(9.807, json.GetProperty("devices")[0].GetProperty("inputs").GetProperty("accel_z").GetDouble(), 3);
        Assert.Equal(2, json.GetProperty("teleop").GetArrayLength());
        Assert.False(json.GetProperty("emergency_stops")[0].GetProperty("active").GetBoolean());
        // Nothing was driven: the ESCs hold the safe pulse the board opened with.
        Assert.True(Near(_motors.PulseMicroseconds(0), 1500) && Near(_motors.PulseMicroseconds(1), 1500));

        _board.Gpio.Drive(EmergencyStopPin, null);
        var pressed = Robotics.Tests.Cli.CliRun.Of(cli, "check", "--robot", Sample(LenientAges.Of), "--seconds", "0.5");

        Assert.Equal(1, pressed.ExitCode);
        Assert.Contains("error: emergency stop panel.estop is active: the robot would not move", pressed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_emergency_stop_on_a_device_the_config_lacks_is_refused_naming_the_field()
    {
        string path = Sample(text => text.Replace("\"source\": \"panel.estop\"", "\"source\": \"dash.estop\"", StringComparison.Ordinal));

        var error = Assert.Throws<InvalidDataException>(() => RobotConfigLoader.Load(path));

        Assert.Equal($"{path}: emergency_stops[0].source: no device named 'dash' (devices: imu, battery, motors, panel, pad)", error.Message);
    }

    private static bool Near(double pulseUs, double expectedUs) => Math.Abs(pulseUs - expectedUs) <= OneCountUs;

    private string Sample(Func<string, string>? edit = null) => RoverSample.Write(_directory.File("rover.json"), _pad.Path, edit);
}
