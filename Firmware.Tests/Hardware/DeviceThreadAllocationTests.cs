using System.Device.Gpio;
using System.Text.Json;
using Robotics.Controller.Benchmarks;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Tests.Support;
using Robotics.Tests.Support.Chips;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

/// <summary>
/// Every polled driver's thread allocates nothing per period once warmed up (<see cref="PolledDevice.AllocatedBytes"/>):
/// a device thread that allocates brings on collections, and a collection pauses the loop's thread too. The chips
/// are simulated and the serial lines are pseudo-terminals, so what is measured is the driver (and, on the device
/// thread, the fakes, which allocate nothing either).
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class DeviceThreadAllocationTests
{
    [Theory]
    [InlineData("mpu6050", """{ "period_ms": 1 }""")]
    [InlineData("ads1115", """{ "period_ms": 1, "channels": [ { "name": "a", "input": "AIN0" }, { "name": "b", "input": "AIN2_AIN3", "range_v": 0.256 } ] }""")]
    [InlineData("ina219", """{ "period_ms": 1, "address": "0x41" }""")]
    [InlineData("mcp3008", """{ "period_ms": 1, "channels": [ { "name": "a", "input": 0 }, { "name": "b", "input": 5 } ] }""")]
    [InlineData("pca9685", """{ "period_ms": 1, "channels": [ { "name": "left", "channel": 0 }, { "name": "right", "channel": 1 } ] }""")]
    [InlineData("gpio", """{ "period_ms": 1, "inputs": [ { "name": "stop", "pin": 17, "pull": "up" } ], "outputs": [ { "name": "brake", "pin": 22 } ] }""")]
    public void An_on_board_drivers_thread_allocates_nothing_per_period(string type, string settings)
    {
        var board = new SimulatedBoard(new SimulatedMpu6050(), new SimulatedAds1115(), new SimulatedIna219(0x41), new SimulatedPca9685(0x40));
        board.Gpio.Drive(17, PinValue.Low);
        using var device = board.Create(type, settings);

        // A pin holds its level (System.Device.Gpio's GpioController.Write allocates, so the driver writes
        // changes only); a pulse width changes every period.
        Measure((PolledDevice)device, type == "gpio" ? _ => 1 : period => 1000 + period % 1000);
    }

    [Theory]
    [InlineData("dynamixel")]
    [InlineData("feetech-sts")]
    public void A_servo_chains_thread_allocates_nothing_per_period(string type)
    {
        byte[] ids = [1, 2, 3, 4, 5, 6];
        using var line = new PseudoTerminalPair();
        using ServoEmulator servos = type == "dynamixel" ? new DynamixelEmulator(line.Device, ids) : new FeetechEmulator(line.Device, ids);
        // An emulator on a loaded machine can answer later than a servo's 10 ms; this test counts bytes, not time.
        using var device = Create(type, $$"""{ "port": "{{line.Driver}}", "ids": [1, 2, 3, 4, 5, 6], "period_ms": 1, "timeout_ms": 100 }""");

        Measure((PolledDevice)device, period => 2048 + period % 100);
    }

    [Fact]
    public void A_framed_serial_boards_thread_allocates_nothing_per_period()
    {
        using var line = new PseudoTerminalPair();
        using var board = new FramedBoardEmulator(line.Device, inputs: 2, outputs: 1, samplePeriod: TimeSpan.FromMilliseconds(1));
        using var device = Create("framed-serial", $$"""{ "port": "{{line.Driver}}", "inputs": ["position", "current"], "outputs": ["command"], "period_ms": 2 }""");

        Measure((PolledDevice)device, period => period * 0.01f);
    }

    [Fact]
    public void An_evdev_gamepads_thread_allocates_nothing_per_event()
    {
        using var directory = new TempDirectory();
        using var fifo = new EventFifo(directory.File("event0"));
        using var pad = Create("evdev", $$"""
            { "path": "{{fifo.Path}}", "period_ms": 2, "axes": [ { "code": "ABS_X", "min": -32768, "max": 32767 } ], "keys": ["BTN_SOUTH"],
              "key_axes": [ { "name": "drive", "positive": "KEY_W", "negative": "KEY_S" } ] }
            """);
        pad.Start();
        Assert.True(SpinWait.SpinUntil(() => fifo.Connected, Waits.Patience));

        for (int i = 0; i < 300; i++)
        {
            fifo.Frame((EventFifo.Absolute, EventFifo.AbsX, (i * 997 % 65536) - 32768), (EventFifo.Key, EventFifo.BtnSouth, i % 2), (EventFifo.Key, EventFifo.KeyW, i % 3 == 0 ? 1 : 0));
            Assert.True(SpinWait.SpinUntil(() => pad.Counters["events"] == fifo.Written, Waits.Patience));
        }
        long allocated = pad.Counters["allocated_bytes"];
        pad.Stop();

        Assert.Equal(0, allocated);
    }

    private static IDevice Create(string type, string settings) =>
        DeviceRegistry.Default.Create(new DeviceConfig { Name = type, Type = type, Settings = JsonDocument.Parse(settings).RootElement }, "robot.json", 0);

    /// <summary>
    /// Runs the device with <paramref name="output"/>(period) on every output until past its warm-up, then in
    /// windows of 100 periods until three have passed without a retried bus transaction, and asserts those three
    /// allocated nothing. A retry is the driver's error path, whose exceptions allocate; an emulator on a busy
    /// machine answers past the timeout now and then. The meter starts its count with a young-generation collection
    /// on the device's thread, so a later collection cannot count its allocation context's unused end
    /// (<see cref="Robotics.Protos.ThreadAllocations"/>). Measured on .NET 10, two cores, over 35 runs (10 beside two
    /// busy loops, 5 beside a thread forcing a background gen-2 collection every 5 ms): all 757 windows without
    /// a retry or a failed poll counted 0 bytes, and all 180 with one counted 872 bytes or more.
    /// </summary>
    private static void Measure(PolledDevice device, Func<long, float> output)
    {
        device.Start();
        var outputs = new float[device.Outputs.Count];
        long periods = ThreadAllocationMeter.WarmupPeriods + 10;
        Drive(device, outputs, output, periods);
        long start = device.AllocatedBytes;
        var clean = new List<long>();
        int windows = 0;
        while (clean.Count < 3 && windows < 20)
        {
            long bytes = device.AllocatedBytes;
            long troubles = Troubles(device);
            periods += 100;
            Drive(device, outputs, output, periods);
            windows++;
            if (Troubles(device) == troubles)
            {
                clean.Add(device.AllocatedBytes - bytes);
            }
        }
        device.Stop();

        Assert.NotEqual(-1, start);
        Assert.True(clean.Count == 3, $"{device.Name}: an error or a retried transaction in {windows - clean.Count} of {windows} windows");
        Assert.Equal([0, 0, 0], clean);
    }

    /// <summary>
    /// Errors and a servo chain's retried transactions: a window with one is not steady state (an error may allocate
    /// its exception), and on a busy machine a poll can find no sample in time. Such windows are not counted.
    /// </summary>
    private static long Troubles(PolledDevice device) => device.Errors + device.Counters.GetValueOrDefault("retried");

    private static void Drive(PolledDevice device, float[] outputs, Func<long, float> output, long untilPolls)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (long polls = device.Polls; polls < untilPolls; polls = device.Polls)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{device.Name}: {polls} of {untilPolls} periods in 30 s");
            Array.Fill(outputs, output(polls));
            device.WriteOutputs(outputs);
            SpinWait.SpinUntil(() => device.Polls > polls, TimeSpan.FromSeconds(1));
        }
    }
}
