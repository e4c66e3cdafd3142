using System.Device.I2c;
using Iot.Device.Ads1115;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>
/// The <c>ads1115</c> device: a TI ADS1115 16-bit ADC through Iot.Device.Bindings' <see cref="Ads1115"/>, for
/// analog inputs (potentiometers, force sensors, a battery divider). Each channel is one single-shot
/// conversion of its input pair at its own full-scale range, in volts; a period reads them all in turn.
/// </summary>
public sealed class Ads1115Adc : BusChip<I2cDevice>
{
    public const string Type = "ads1115";

    // ADDR pin to GND: 0x48 (ADS111x datasheet SBAS444, "I2C Address Selection").
    private const int DefaultAddress = 0x48;

    private readonly AnalogChannel[] _channels;
    private readonly DataRate _rate;
    private Ads1115? _adc;

    private Ads1115Adc(string name, ChipLink<I2cDevice> link, AnalogChannel[] channels, DataRate rate)
        : base(name, link, [.. channels.Select(c => c.Name)], [])
    {
        _channels = channels;
        _rate = rate;
    }

    protected override string Chip => "ADS1115";

    /// <param name="Input">The multiplexer setting: which pin, or pin pair, is measured.</param>
    /// <param name="Range">The programmable gain's full scale.</param>
    private sealed record AnalogChannel(string Name, InputMultiplexer Input, MeasuringRange Range);

    /// <summary>
    /// Settings: bus, address (0x48), period_ms (20), retries, data_rate (samples/s: 8 … 860, default 860), and
    /// channels: [{ name, input ("AIN0" … "AIN3" against ground, or "AIN0_AIN1", "AIN0_AIN3", "AIN1_AIN3",
    /// "AIN2_AIN3" differential), range_v (6.144, 4.096, 2.048, 1.024, 0.512, 0.256; default 4.096) }].
    /// </summary>
    public static IDevice FromConfig(DeviceConfig config, BoardBuses buses)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown([.. ChipLinks.I2cFields, "channels", "data_rate"]);
        var channels = settings.Objects("channels", ReadChannel, c => c.Name);
        var rate = settings.OneOf("data_rate", 860,
            (8, DataRate.SPS008), (16, DataRate.SPS016), (32, DataRate.SPS032), (64, DataRate.SPS064),
            (128, DataRate.SPS128), (250, DataRate.SPS250), (475, DataRate.SPS475), (860, DataRate.SPS860));
        return new Ads1115Adc(config.Name!, ChipLinks.I2c(settings, buses, DefaultAddress, defaultPeriodMs: 20), channels, rate);
    }

    protected override void Connect(I2cDevice device) =>
        // Single-shot: each read starts a conversion of the channel asked for and waits for it (the binding polls
        // the OS bit), so a value always belongs to its channel. The constructor writes the config register.
        _adc = new Ads1115(device, _channels[0].Input, _channels[0].Range, _rate, DeviceMode.PowerDown);

    protected override void ReadInputs(Span<float> inputs)
    {
        for (int i = 0; i < _channels.Length; i++)
        {
            short raw = _adc!.ReadRaw(_channels[i].Input, _channels[i].Range, _rate);
            inputs[i] = (float)_adc.RawToVoltage(raw).Volts;
        }
    }

    protected override void Disconnect()
    {
        _adc?.Dispose();
        _adc = null;
    }

    private static AnalogChannel ReadChannel(DeviceSettings channel)
    {
        channel.OnlyKnown("name", "input", "range_v");
        string input = channel.Choice("input", "AIN0", "AIN0", "AIN1", "AIN2", "AIN3", "AIN0_AIN1", "AIN0_AIN3", "AIN1_AIN3", "AIN2_AIN3");
        return new AnalogChannel(
            channel.RequiredString("name"),
            Enum.Parse<InputMultiplexer>(input, ignoreCase: true),
            channel.OneOf("range_v", 4.096,
                (6.144, MeasuringRange.FS6144), (4.096, MeasuringRange.FS4096), (2.048, MeasuringRange.FS2048),
                (1.024, MeasuringRange.FS1024), (0.512, MeasuringRange.FS0512), (0.256, MeasuringRange.FS0256)));
    }
}
