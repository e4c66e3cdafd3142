using System.Text.Json;
using Robotics.Controller.Benchmarks;
using Robotics.Controller.Loop;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Framed;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Protos;
using Robotics.Tests.Support;
using Robotics.Emulators;

namespace Robotics.Tests.Hardware;

/// <summary>The framed-serial messages against the worked example in docs/robot-config.md, byte for byte.</summary>
public sealed class FramedMessageTests
{
    public static TheoryData<string, string> Examples => new()
    {
        { "HELLO", "04 01 01 C8 03 B9 5A 00" },
        { "HELLO_REPLY", "06 81 01 02 01 C8 03 64 70 00" },
        { "HELLO_REPLY, short", "07 81 01 02 01 3F 6E 00" },
        { "SAMPLE", "03 82 07 04 40 42 0F 01 01 01 02 3F 01 05 A0 BF C4 6A 00" },
        { "SET_OUTPUTS", "03 02 01 01 01 01 04 3F 31 13 00" },
        { "SAFE", "04 03 93 D1 00" },
        { "ERROR", "10 83 04 6C 6F 77 20 62 61 74 74 65 72 79 5E 1A 00" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_documented_example_frames_are_what_the_messages_encode_to(string message, string frame)
    {
        var payload = new byte[FramedMessage.MaxPayload];
        // The example board: inputs position and current, output motor; the controller asks for a 200 ms output timeout.
        int length = message switch
        {
            "HELLO" => FramedMessage.WriteHello(payload, 200),
            "HELLO_REPLY" => FramedMessage.WriteHelloReply(payload, 1, inputs: 2, outputs: 1, 200),
            "HELLO_REPLY, short" => FramedMessage.WriteHelloReply(payload, 1, inputs: 2, outputs: 1, null),
            "SAMPLE" => FramedMessage.WriteSample(payload, 7, 1_000_000, [0.5f, -1.25f]),
            "SET_OUTPUTS" => FramedMessage.WriteSetOutputs(payload, 1, [0.5f]),
            "SAFE" => FramedMessage.WriteSafe(payload),
            _ => FramedMessage.WriteError(payload, 4, "low battery"u8),
        };
        var encoded = new byte[FramedPacket.MaxFrameLength(length)];

        int written = FramedPacket.Encode(payload.AsSpan(0, length), encoded);

        Assert.Equal(frame, string.Join(' ', Convert.ToHexString(encoded, 0, written).Chunk(2).Select(pair => new string(pair))));
        string docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "robot-config.md"));
        Assert.Contains($"`{frame}`", docs, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_sample_reads_back_and_one_of_another_length_is_refused()
    {
        byte[] frame = Convert.FromHexString("0382070440420F010101023F0105A0BFC46A");
        var payload = new byte[frame.Length];
        int length = FramedPacket.Decode(frame, payload);
        var inputs = new float[2];

        Assert.True(FramedMessage.TryReadSample(payload.AsSpan(0, length), inputs, out ushort sequence, out uint boardTime));
        Assert.Equal(7, sequence);
        Assert.Equal(1_000_000u, boardTime);
        Assert.Equal(new[] { 0.5f, -1.25f }, inputs);
        Assert.False(FramedMessage.TryReadSample(payload.AsSpan(0, length), new float[3], out _, out _));
    }

    [Fact]
    public void Hello_carries_the_output_timeout_and_a_reply_with_or_without_one_reads_back()
    {
        var payload = new byte[FramedMessage.MaxPayload];

        Assert.True(FramedMessage.TryReadHello(payload.AsSpan(0, FramedMessage.WriteHello(payload, 1500)), out ushort? asked));
        Assert.Equal((ushort)1500, asked);
        // A controller written before output timeouts sends the type and version only.
        Assert.True(FramedMessage.TryReadHello([0x01, 0x01], out asked));
        Assert.Null(asked);

        int full = FramedMessage.WriteHelloReply(payload, 1, inputs: 3, outputs: 2, 1500);
        Assert.True(FramedMessage.TryReadHelloReply(payload.AsSpan(0, full), out byte version, out int inputs, out int outputs, out ushort? applied));
        Assert.Equal((1, 3, 2, (ushort?)1500), (version, inputs, outputs, applied));
        int shortReply = FramedMessage.WriteHelloReply(payload, 1, inputs: 3, outputs: 2, null);
        Assert.True(FramedMessage.TryReadHelloReply(payload.AsSpan(0, shortReply), out _, out inputs, out _, out applied));
        Assert.Equal((3, (ushort?)null), (inputs, applied));
        Assert.False(FramedMessage.TryReadHelloReply(payload.AsSpan(0, 5), out _, out _, out _, out _));
    }
}

/// <summary>The <c>framed-serial</c> settings: each bad one refused naming its field.</summary>
public sealed class FramedSerialSettingsTests
{
    [Theory]
    [InlineData("{}", "port", "required, a non-empty string")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\" }", "inputs", "required, a non-empty list of names")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [] }", "inputs", "required, a non-empty list of names")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\", \"\"] }", "inputs[1]", "must be a non-empty string")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\", 3] }", "inputs[1]", "must be a non-empty string")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\", \"b\", \"a\"] }", "inputs", "lists 'a' twice")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"outputs\": \"b\" }", "outputs", "must be a list of names")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"baud\": 12 }", "baud", "must be a whole number from 1200 to 4000000")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"period_ms\": 0 }", "period_ms", "must be a whole number from 1 to 1000")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"timeout_ms\": 2.5 }", "timeout_ms", "must be a whole number from 1 to 1000")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"retries\": -1 }", "retries", "must be a whole number from 0 to 10")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"boot_ms\": 60000 }", "boot_ms", "must be a whole number from 0 to 10000")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"output_timeout_ms\": 70000 }", "output_timeout_ms", "must be a whole number from 0 to 60000")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"output_timeout_ms\": 20 }", "output_timeout_ms", "must be 0 (none) or at least 3 periods of period_ms (30), got 20")]
    [InlineData("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"], \"period_ms\": 50, \"output_timeout_ms\": 100 }", "output_timeout_ms", "must be 0 (none) or at least 3 periods of period_ms (150), got 100")]
    public void A_bad_setting_is_refused_naming_its_field(string settings, string field, string message)
    {
        var error = Assert.Throws<DeviceSettingsException>(() => FramedSerialDevice.FromConfig(Config(settings)));

        Assert.Equal((field, message), (error.Field, error.Message));
    }

    [Fact]
    public void More_channels_than_a_sample_can_carry_are_refused()
    {
        string inputs = string.Join(", ", Enumerable.Range(0, FramedMessage.MaxChannels + 1).Select(i => $"\"in{i}\""));

        var error = Assert.Throws<DeviceSettingsException>(() => FramedSerialDevice.FromConfig(Config($"{{ \"port\": \"/dev/ttyACM0\", \"inputs\": [{inputs}] }}")));

        Assert.Equal(("inputs", "at most 62 names"), (error.Field, error.Message));
    }

    [Fact]
    public void Absent_settings_take_their_documented_defaults()
    {
        var settings = FramedSerialSettings.From(Config("{ \"port\": \"/dev/ttyACM0\", \"inputs\": [\"a\"] }"));

        Assert.Equal(("/dev/ttyACM0", 115_200, 2), (settings.Port, settings.Baud, settings.Retries));
        Assert.Equal((TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20), TimeSpan.Zero), (settings.Period, settings.Timeout, settings.Boot));
        Assert.Equal(TimeSpan.FromMilliseconds(200), settings.OutputTimeout);
        Assert.Equal(new[] { "a" }, settings.Inputs);
        Assert.Empty(settings.Outputs);
    }

    private static DeviceConfig Config(string settings) =>
        new() { Name = "board", Type = FramedSerialDevice.Type, Settings = JsonDocument.Parse(settings).RootElement };
}

/// <summary>The <c>framed-serial</c> device over a pseudo-terminal, against an emulated board with faults on demand.</summary>
[Collection(SerialLines.Name)]
public sealed class FramedSerialDeviceTests : IDisposable
{
    private static readonly string[] Inputs = ["position", "velocity", "current"];
    private static readonly string[] Outputs = ["goal", "brake"];
    private static readonly TimeSpan BoardPeriod = TimeSpan.FromMilliseconds(5);
    // Generous for an emulator thread on a loaded two-core machine; a real board answers within a millisecond or two.
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _line = new();
    private FramedBoardEmulator _board;
    private FramedSerialDevice? _device;

    public FramedSerialDeviceTests() => _board = new FramedBoardEmulator(_line.Device, Inputs.Length, Outputs.Length, BoardPeriod);

    public void Dispose()
    {
        _device?.Dispose();
        _board.Dispose();
        _line.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void A_board_with_other_counts_is_refused_naming_the_mismatch()
    {
        var error = Assert.Throws<InvalidDataException>(() => Start(["position", "velocity"], Outputs));

        Assert.Equal($"board: the board on {_line.Driver} has 3 inputs where settings.inputs lists 2 (position, velocity)", error.Message);
    }

    [Fact]
    public void A_board_with_outputs_the_config_lacks_is_refused_naming_them()
    {
        var error = Assert.Throws<InvalidDataException>(() => Start(Inputs, []));

        Assert.Equal($"board: the board on {_line.Driver} has 2 outputs where settings.outputs lists 0", error.Message);
    }

    [Fact]
    public void A_board_speaking_another_protocol_version_is_refused()
    {
        _board.Dispose();
        _board = new FramedBoardEmulator(_line.Device, Inputs.Length, Outputs.Length, BoardPeriod, version: 2);

        var error = Assert.Throws<InvalidDataException>(() => Start(Inputs, Outputs));

        Assert.Equal($"board: the board on {_line.Driver} speaks framed-serial protocol version 2; this controller speaks version 1", error.Message);
    }

    [Fact]
    public void A_board_that_never_answers_hello_fails_the_start_after_its_retries()
    {
        _board.Silent = true;

        var error = Assert.Throws<ServoBusException>(() => Start(Inputs, Outputs));

        Assert.Equal(ServoBusFault.Timeout, error.Fault);
        Assert.StartsWith($"board: no HELLO_REPLY from the board on {_line.Driver} in 3 tries of 100 ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_board_still_booting_when_its_port_opens_is_greeted_after_boot_ms()
    {
        // Deaf for its first 300 ms, as an Arduino Uno is in its bootloader after the port's opening resets it.
        _board.Silent = true;
        var booted = Task.Delay(300).ContinueWith(_ => _board.Silent = false, TaskScheduler.Default);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var device = Start(Inputs, Outputs, retries: 0, boot: TimeSpan.FromMilliseconds(1500));

        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(1500));
        Assert.Equal(1, _board.Hellos);
        WaitUntil(() => device.Polls > 3, "polls");
        await booted;
    }

    [Fact]
    public void Samples_reach_read_latest_with_the_time_they_were_taken()
    {
        _board.SetInput(2, 7.5f);
        long before = MonotonicClock.NowNs();
        var device = Start(Inputs, Outputs);
        var inputs = new float[3];
        long first = long.MinValue;

        WaitUntil(() => (first = device.ReadLatest(inputs)) != long.MinValue, "a sample");

        Assert.InRange(first, before, MonotonicClock.NowNs());
        Assert.Equal(7.5f, inputs[2]);
        WaitUntil(() => device.ReadLatest(inputs) > first, "a newer sample");
        Assert.True(device.Polls >= 2);
        Assert.True(_board.Hellos >= 1);
    }

    [Fact]
    public void Outputs_reach_the_board_and_come_back_as_its_inputs()
    {
        var device = Start(Inputs, Outputs);
        var inputs = new float[3];
        Assert.True(_board.IsSafe);

        device.WriteOutputs([0.25f, -3f]);

        WaitUntil(() => _board.Outputs.SequenceEqual([0.25f, -3f]), "the outputs at the board");
        Assert.False(_board.IsSafe);
        WaitUntil(() => device.ReadLatest(inputs) != long.MinValue && inputs[0] == 0.25f && inputs[1] == -3f, "the board's echo");
        device.WriteOutputs([0.5f, 0f]);
        WaitUntil(() => _board.LastCommandSequence == 1, "the second command's sequence number");
    }

    [Fact]
    public void Damaged_frames_and_garbage_are_dropped_and_counted_and_the_stream_resyncs()
    {
        var device = Start(Inputs, Outputs);
        WaitUntil(() => device.Polls > 3, "polls");
        long corrupt = device.CorruptFrames;
        long missed = device.MissedSamples;

        _board.CorruptFrames = 2;
        _board.GarbageBursts = 3;
        WaitUntil(() => device.CorruptFrames >= corrupt + 5, "five damaged frames counted");
        _board.SetInput(2, 42f);

        var inputs = new float[3];
        WaitUntil(() => device.ReadLatest(inputs) != long.MinValue && inputs[2] == 42f, "a sample after the damage");
        Assert.Equal(corrupt + 5, device.CorruptFrames);
        Assert.Equal(missed + 2, device.MissedSamples);
        Assert.Equal(0, device.UnexpectedFrames);
    }

    [Fact]
    public void Dropped_samples_are_counted_from_the_gap_in_the_boards_sequence()
    {
        var device = Start(Inputs, Outputs);
        WaitUntil(() => device.Polls > 3, "polls");
        long missed = device.MissedSamples;

        _board.DropFrames = 4;
        WaitUntil(() => _board.DropFrames == 0, "the board to drop four samples");
        long polls = device.Polls;
        WaitUntil(() => device.Polls > polls + 3, "polls after the gap");

        Assert.Equal(missed + 4, device.MissedSamples);
        Assert.Equal(0, device.CorruptFrames);
    }

    [Fact]
    public void A_silent_board_leaves_the_sample_to_age_until_it_speaks_again()
    {
        var device = Start(Inputs, Outputs);
        var inputs = new float[3];
        WaitUntil(() => device.Polls > 3, "polls");

        _board.Silent = true;
        long errors = device.Errors;
        WaitUntil(() => device.Errors >= errors + 2, "polls that find nothing");
        long last = device.ReadLatest(inputs);
        WaitUntil(() => device.Errors >= errors + 5, "more polls that find nothing");
        Assert.Equal(last, device.ReadLatest(inputs));

        _board.Silent = false;
        WaitUntil(() => device.ReadLatest(inputs) > last, "a new sample");
    }

    [Fact]
    public void Halt_sends_safe_and_the_next_outputs_after_resume_leave_it()
    {
        var device = Start(Inputs, Outputs);
        device.WriteOutputs([1f, 1f]);
        WaitUntil(() => !_board.IsSafe, "the board commanded");

        device.Halt();
        WaitUntil(() => _board.IsSafe && _board.Safes >= 1, "SAFE at the board");
        Assert.Equal(new[] { 0f, 0f }, _board.Outputs);
        device.Resume();
        device.WriteOutputs([0.5f, 0f]);
        WaitUntil(() => !_board.IsSafe && _board.Outputs[0] == 0.5f, "the board commanded again");
        int safes = _board.Safes;

        device.Stop();

        WaitUntil(() => _board.Safes > safes && _board.IsSafe, "SAFE on stop");
    }

    [Fact]
    public void A_pulled_adapter_is_reopened_and_the_board_greeted_again_when_it_is_back()
    {
        var device = Start(Inputs, Outputs);
        var inputs = new float[3];
        WaitUntil(() => device.Polls > 3, "polls");

        _line.Unplug();
        long errors = device.Errors;
        WaitUntil(() => device.Errors > errors + 2, "failing polls");
        long last = device.ReadLatest(inputs);
        _board.Dispose();
        _line.Replug();
        _board = new FramedBoardEmulator(_line.Device, Inputs.Length, Outputs.Length, BoardPeriod);
        _board.SetInput(2, 9f);

        WaitUntil(() => device.Reopens == 1 && device.ReadLatest(inputs) > last && inputs[2] == 9f, "samples from the board plugged back in");
        Assert.True(_board.Hellos >= 1);
        Assert.Equal(1, device.Counters["reopens"]);
    }

    [Fact]
    public void A_board_restart_is_counted_and_its_new_sequence_is_not_taken_for_lost_samples()
    {
        var device = Start(Inputs, Outputs);
        WaitUntil(() => device.Polls > 3, "polls");
        long missed = device.MissedSamples;

        _board.Restart();
        WaitUntil(() => device.BoardRestarts == 1, "the restart seen");
        long polls = device.Polls;
        WaitUntil(() => device.Polls > polls + 3, "polls after the restart");

        Assert.Equal(missed, device.MissedSamples);
        Assert.Equal(1, device.Counters["board_restarts"]);
    }

    [Fact]
    public void An_error_from_the_board_is_counted_with_its_code()
    {
        var device = Start(Inputs, Outputs);

        var error = new byte[32];

        _board.SendMessage(error.AsSpan(0, FramedMessage.WriteError(error, 4, "low battery"u8)));

        WaitUntil(() => device.BoardErrors == 1, "the error counted");
        Assert.Equal(4, device.Counters["last_board_error"]);
        Assert.Equal(0, device.CorruptFrames);
    }

    [Fact]
    public void Intact_messages_of_an_unknown_type_or_the_wrong_length_are_counted_as_unexpected()
    {
        var device = Start(Inputs, Outputs);
        var inputs = new float[3];

        _board.SendMessage([0x84, 0x01]);
        _board.SendMessage([(byte)FramedMessageType.Sample, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3F]);
        _board.SetInput(2, 3f);

        WaitUntil(() => device.UnexpectedFrames == 2, "two unexpected frames counted");
        WaitUntil(() => device.ReadLatest(inputs) != long.MinValue && inputs[2] == 3f, "samples going on");
        Assert.Equal(0, device.CorruptFrames);
    }

    [Fact]
    public void Each_poll_takes_the_newest_sample_and_leaves_no_backlog()
    {
        // A board ten times faster than the device's period: a poll finds about ten samples waiting.
        _board.Dispose();
        _board = new FramedBoardEmulator(_line.Device, Inputs.Length, Outputs.Length, TimeSpan.FromMilliseconds(1));
        var device = Start(Inputs, Outputs);
        WaitUntil(() => device.Polls > 30, "polls");

        _board.Silent = true;
        long polls = device.Polls;
        long errors = device.Errors;
        WaitUntil(() => device.Errors > errors, "a poll that finds nothing");

        // Taking one sample a poll would leave hundreds queued, and go on finding them long after the board fell silent.
        Assert.InRange(device.Polls - polls, 0, 5);
    }

    [Fact]
    public void The_loop_runs_a_board_from_a_robot_config()
    {
        _board.Dispose();
        _board = new FramedBoardEmulator(_line.Device, inputs: 2, outputs: 1, BoardPeriod);
        _board.SetInput(1, 0.8f);
        string path = _directory.File("board.json");
        File.WriteAllText(path, $$"""
            {
              "name": "one-motor",
              "rate_hz": 100,
              // The worked example's board: an encoder and a current sense in, one motor out.
              "devices": [ { "name": "motor", "type": "framed-serial",
                             "settings": { "port": "{{_line.Driver}}", "inputs": ["position", "current"], "outputs": ["command"], "timeout_ms": 100 } } ],
              "observations": [
                { "name": "position", "unit": "rad", "source": "motor.position", "max_age_ms": 500 },
                { "name": "current", "unit": "A", "source": "motor.current", "max_age_ms": 500 }
              ],
              "actions": [ { "name": "command", "unit": "1", "target": "motor.command", "min": -1, "max": 1, "safe": 0 } ]
            }
            """);
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(path), DeviceRegistry.Default);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(3) };

        using (var loop = new ControlLoop(robot, options, null, new ConstantOperator(0.5f)))
        {
            loop.Start();
            WaitUntil(() => _board.Outputs[0] == 0.5f, "the command at the board");
            var report = loop.WaitForExit();
            Assert.Equal(0, report.Faults);
            Assert.True(report.Ticks >= 200, $"{report.Ticks} ticks");
        }

        var board = (FramedSerialDevice)robot.Devices[0];
        Assert.True(board.Polls >= 100, $"{board.Polls} polls");
        Assert.True(_board.Commands >= 100, $"{_board.Commands} commands");
        WaitUntil(() => _board.IsSafe, "SAFE once the loop stopped");
    }

    private FramedSerialDevice Start(string[] inputs, string[] outputs, int retries = 2, TimeSpan boot = default)
    {
        // An output timeout no test here outlasts: these tests hand over outputs once and watch them at the board.
        _device = new FramedSerialDevice("board", new FramedSerialSettings(_line.Driver, 115_200, inputs, outputs, TimeSpan.FromMilliseconds(10), Timeout, retries, boot,
            OutputTimeout: TimeSpan.FromMinutes(1)));
        _device.Start();
        return _device;
    }

    private static void WaitUntil(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, Waits.Patience), $"timed out waiting for {what}");
}
