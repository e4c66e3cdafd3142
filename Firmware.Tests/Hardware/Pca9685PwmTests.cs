using Robotics.Hardware.OnBoard;
using Robotics.Tests.Support.Chips;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>pca9685</c> driver (Iot.Device.Bindings' Pca9685) against a register-level PCA9685.</summary>
public sealed class Pca9685PwmTests
{
    private const string TwoEscs = """
        { "channels": [ { "name": "left", "channel": 0, "min_us": 1000, "max_us": 2000, "safe_us": 1500 },
                        { "name": "right", "channel": 15, "min_us": 1100, "max_us": 1900, "safe_us": 1500 } ] }
        """;

    // One count of the 12-bit counter at 50 Hz is about 4.9 µs.
    private const double OneCountUs = 20_000.0 / 4096;

    [Fact]
    public void It_opens_at_the_frame_rate_asked_for_awake_with_every_channel_at_its_safe_pulse()
    {
        var chip = new SimulatedPca9685();
        using var pwm = new SimulatedBoard(chip).Create(Pca9685Pwm.Type, TwoEscs);

        pwm.Start();

        // §7.3.5: prescale = round(25 MHz / (4096 × 50 Hz)) − 1 = 121.
        Assert.Equal(121, chip.Register(SimulatedPca9685.PreScale));
        Assert.False(chip.Asleep);
        Assert.Equal(1500, chip.PulseMicroseconds(0), OneCountUs);
        Assert.Equal(1500, chip.PulseMicroseconds(15), OneCountUs);
        Assert.Equal(0, chip.PulseMicroseconds(7));
        pwm.Stop();
    }

    [Fact]
    public void The_datasheets_own_example_200_hz_is_prescale_30()
    {
        var chip = new SimulatedPca9685();
        using var pwm = new SimulatedBoard(chip).Create(Pca9685Pwm.Type, """{ "frequency_hz": 200, "channels": [ { "name": "servo", "channel": 3 } ] }""");

        pwm.Start();

        Assert.Equal(0x1E, chip.Register(SimulatedPca9685.PreScale));
        Assert.Equal(1500, chip.PulseMicroseconds(3), 5000.0 / 4096);
        pwm.Stop();
    }

    [Fact]
    public void Outputs_are_pulse_widths_clamped_to_each_channels_limits_and_halt_sends_the_safe_pulse()
    {
        var chip = new SimulatedPca9685();
        using var pwm = new SimulatedBoard(chip).Create(Pca9685Pwm.Type, TwoEscs);
        pwm.Start();
        int before = chip.Transactions;

        pwm.WriteOutputs([1750, 950]);

        Assert.True(SpinWait.SpinUntil(() => chip.Transactions >= before + 2 && Math.Abs(chip.PulseMicroseconds(15) - 1100) < OneCountUs, Waits.Patience));
        Assert.Equal(1750, chip.PulseMicroseconds(0), OneCountUs);
        // One transaction per output (all four LED registers at once): no frame sees half a pulse width.
        Assert.Equal(before + 2, chip.Transactions);

        pwm.Halt();
        // The bus thread writes the safe pulses one channel after the other: wait for both.
        Assert.True(SpinWait.SpinUntil(() => Math.Abs(chip.PulseMicroseconds(0) - 1500) < OneCountUs && Math.Abs(chip.PulseMicroseconds(15) - 1500) < OneCountUs, Waits.Patience));

        pwm.Resume();
        pwm.WriteOutputs([1200, 1800]);
        Assert.True(SpinWait.SpinUntil(() => Math.Abs(chip.PulseMicroseconds(15) - 1800) < OneCountUs, Waits.Patience));

        pwm.Stop();
        Assert.Equal(1500, chip.PulseMicroseconds(0), OneCountUs);
        Assert.Equal(1500, chip.PulseMicroseconds(15), OneCountUs);
    }

    [Theory]
    [InlineData("""{ "channels": [ { "name": "a", "channel": 0, "safe_us": 2500 } ] }""", "channels[0].safe_us: must be a number from 1000 to 2000")]
    [InlineData("""{ "channels": [ { "name": "a", "channel": 16 } ] }""", "channels[0].channel: must be a whole number from 0 to 15")]
    [InlineData("""{ "channels": [ { "name": "a" } ] }""", "channels[0].channel: required, a whole number from 0 to 15")]
    [InlineData("""{ "channels": [ { "name": "a", "channel": 0, "safe": 1500 } ] }""", "channels[0].safe: unknown setting (known: name, channel, min_us, max_us, safe_us)")]
    [InlineData("""{ "channels": [ { "name": "a", "channel": 1 }, { "name": "b", "channel": 1 } ] }""", "channels[1]: repeats 1")]
    [InlineData("""{ "channels": [ { "name": "a", "channel": 1 }, { "name": "a", "channel": 2 } ] }""", "channels: lists 'a' twice")]
    [InlineData("""{ "frequency_hz": 2000, "channels": [ { "name": "a", "channel": 1 } ] }""", "frequency_hz: must be a number from 24 to 1526")]
    [InlineData("""{ "channels": [ { "name": "a", "channel": 1, "min_us": 2500 } ] }""", "channels[0].max_us: the default 2000 µs does not fit between min_us (2500 µs) and the 20000 µs frame at 50 Hz: give max_us")]
    [InlineData("""{ "frequency_hz": 1000, "channels": [ { "name": "a", "channel": 1 } ] }""", "channels[0].max_us: the default 2000 µs does not fit between min_us (1000 µs) and the 1000 µs frame at 1000 Hz: give max_us")]
    public void Bad_settings_name_the_field(string settings, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => new SimulatedBoard().Create(Pca9685Pwm.Type, settings));

        Assert.Equal($"robot.json: devices[0].settings.{message}", error.Message);
    }
}
