using System.Device.I2c;
using System.Globalization;
using Iot.Device.Pwm;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>
/// The <c>pca9685</c> device: an NXP PCA9685 16-channel PWM board through Iot.Device.Bindings'
/// <see cref="Pca9685"/>, for hobby servos and ESCs. Each configured channel is an output in microseconds of
/// pulse width, clamped to the channel's own [min_us, max_us] (a second limit under the safety layer's, in the
/// units the hardware is specified in), and set to its safe_us when the board opens, on halt, e-stop and stop.
/// </summary>
public sealed class Pca9685Pwm : BusChip<I2cDevice>
{
    public const string Type = "pca9685";

    // A0–A5 to GND: 0x40 (PCA9685 product data sheet rev. 4, §7.1).
    private const int DefaultAddress = 0x40;

    // LED0_ON_L; each output's ON_L, ON_H, OFF_L, OFF_H follow at 4 × n (§7.3.3).
    private const byte Led0OnL = 0x06;
    // Bit 4 of LEDn_ON_H or LEDn_OFF_H: the output fully on or fully off (§7.3.3).
    private const int FullOnOrOff = 0x1000;
    private const int CountsPerFrame = 4096;

    private readonly PulseChannel[] _channels;
    private readonly double _frequencyHz;
    private Pca9685? _board;
    private I2cDevice? _i2c;
    private double _frameHz;

    private Pca9685Pwm(string name, ChipLink<I2cDevice> link, PulseChannel[] channels, double frequencyHz)
        : base(name, link, [], [.. channels.Select(c => c.Name)])
    {
        _channels = channels;
        _frequencyHz = frequencyHz;
    }

    protected override string Chip => "PCA9685";

    /// <param name="Channel">The board's output, 0–15.</param>
    private sealed record PulseChannel(string Name, int Channel, double MinUs, double MaxUs, double SafeUs);

    /// <summary>
    /// Settings: bus, address (0x40), period_ms (20), retries, frequency_hz (24–1526, default 50: servos and
    /// ESCs expect a 20 ms frame), and channels: [{ name, channel (0–15), min_us, max_us, safe_us }].
    /// </summary>
    public static IDevice FromConfig(DeviceConfig config, BoardBuses buses)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown([.. ChipLinks.I2cFields, "frequency_hz", "channels"]);
        // The prescaler holds 3–255 (§7.3.5): 25 MHz / 4096 / (prescale + 1) spans 24–1526 Hz.
        double frequency = settings.Number("frequency_hz", 50, 24, 1526);
        var channels = settings.Objects("channels", c => ReadChannel(c, frequency), c => c.Channel);
        settings.RequireUnique("channels", channels.Select(c => c.Name));
        return new Pca9685Pwm(config.Name!, ChipLinks.I2c(settings, buses, DefaultAddress, defaultPeriodMs: 20), channels, frequency);
    }

    protected override void Connect(I2cDevice device)
    {
        // The binding sets the prescaler (with the oscillator asleep, as §7.3.5 requires) and wakes the board with
        // auto-increment on; then every configured output gets its safe pulse before anything else.
        _board = new Pca9685(device, _frequencyHz);
        _i2c = device;
        // The frame the prescaler gives, which is not exactly the frequency asked for (19.99 ms for 50 Hz).
        _frameHz = _board.PwmFrequency;
        SendSafeOutputs();
    }

    protected override void SendOutputs(ReadOnlySpan<float> outputs)
    {
        for (int i = 0; i < _channels.Length; i++)
        {
            var channel = _channels[i];
            SetPulse(channel.Channel, Math.Clamp(outputs[i], channel.MinUs, channel.MaxUs));
        }
    }

    protected override void SendSafeOutputs()
    {
        foreach (var channel in _channels)
        {
            SetPulse(channel.Channel, channel.SafeUs);
        }
    }

    protected override void Disconnect()
    {
        _board?.Dispose();
        _board = null;
        _i2c = null;
    }

    /// <summary>
    /// A pulse width as the count at which the output turns off, the on count 0, written as one auto-increment
    /// transaction: the binding's SetDutyCycle writes LEDn_OFF_L and LEDn_OFF_H separately, so between the two the
    /// chip can run a frame with a new low byte and an old high byte (1500 → 1000 µs passes 0x1CD, ~2250 µs).
    /// </summary>
    private void SetPulse(int channel, double microseconds)
    {
        int counts = (int)Math.Round(Math.Clamp(microseconds * 1e-6 * _frameHz, 0, 1) * CountsPerFrame);
        int on = counts == CountsPerFrame ? FullOnOrOff : 0;
        int off = counts switch { 0 => FullOnOrOff, CountsPerFrame => 0, _ => counts };
        Span<byte> write = [(byte)(Led0OnL + 4 * channel), (byte)on, (byte)(on >> 8), (byte)off, (byte)(off >> 8)];
        _i2c!.Write(write);
    }

    private static PulseChannel ReadChannel(DeviceSettings channel, double frequencyHz)
    {
        channel.OnlyKnown("name", "channel", "min_us", "max_us", "safe_us");
        double frameUs = 1e6 / frequencyHz;
        double min = channel.Number("min_us", 1000, 0, frameUs);
        double max = channel.Number("max_us", 2000, min, frameUs);
        if (max > frameUs || max < min)
        {
            // Only the default can get here (a given max_us was checked against min_us and the frame above).
            throw new DeviceSettingsException(channel.Field("max_us"), string.Create(CultureInfo.InvariantCulture,
                $"the default {max} µs does not fit between min_us ({min} µs) and the {frameUs:0} µs frame at {frequencyHz} Hz: give max_us"));
        }
        return new PulseChannel(
            channel.RequiredString("name"),
            channel.RequiredWholeNumber("channel", 0, 15),
            min,
            max,
            channel.Number("safe_us", (min + max) / 2, min, max));
    }
}
