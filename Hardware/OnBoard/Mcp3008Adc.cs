using System.Device.Spi;
using Iot.Device.Adc;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>
/// The <c>mcp3008</c> device: a Microchip MCP3008 8-channel 10-bit ADC on SPI, through Iot.Device.Bindings'
/// <see cref="Mcp3008"/>, for analog inputs where there is no I2C to spare. Each channel is one single-ended
/// conversion, in volts: code × vref / 1024 (MCP3004/3008 datasheet DS21295, the digital output code: 1024 × VIN / VREF).
/// </summary>
public sealed class Mcp3008Adc : BusChip<SpiDevice>
{
    public const string Type = "mcp3008";

    // fCLK at most 3.6 MHz with VDD = 5 V, 1.35 MHz at 2.7 V (DS21295, electrical characteristics): 1 MHz works at both.
    private const int MaxClockHz = 3_600_000;

    private readonly (string Name, int Input)[] _channels;
    private readonly float _voltsPerCode;
    private Mcp3008? _adc;

    private Mcp3008Adc(string name, ChipLink<SpiDevice> link, (string Name, int Input)[] channels, double referenceVolts)
        : base(name, link, [.. channels.Select(c => c.Name)], [])
    {
        _channels = channels;
        _voltsPerCode = (float)(referenceVolts / 1024);
    }

    protected override string Chip => "MCP3008";

    /// <summary>
    /// Settings: bus (0), chip_select (0), clock_hz (default 1 MHz, at most 3.6 MHz), period_ms (10), retries,
    /// vref_v (the reference pin's voltage, default 3.3), channels: [{ name, input (0–7) }].
    /// </summary>
    public static IDevice FromConfig(DeviceConfig config, BoardBuses buses)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown([.. ChipLinks.SpiFields, "vref_v", "channels"]);
        var channels = settings.Objects("channels", ReadChannel, c => c.Name);
        double reference = settings.Number("vref_v", 3.3, 0.25, 5.5);
        return new Mcp3008Adc(config.Name!, ChipLinks.Spi(settings, buses, MaxClockHz, defaultPeriodMs: 10), channels, reference);
    }

    /// <summary>
    /// The binding reports a conversion whose null bit is not 0 as <see cref="InvalidOperationException"/>: what a
    /// missing chip gives (MISO pulled high), so a bus error like a NACK.
    /// </summary>
    protected override bool IsBusError(Exception e) => base.IsBusError(e) || e is InvalidOperationException;

    protected override void Connect(SpiDevice device)
    {
        // No ID register: one conversion whose null bit is right is the check.
        _adc = new Mcp3008(device);
        _adc.Read(_channels[0].Input);
    }

    protected override void ReadInputs(Span<float> inputs)
    {
        for (int i = 0; i < _channels.Length; i++)
        {
            inputs[i] = _adc!.Read(_channels[i].Input) * _voltsPerCode;
        }
    }

    private static (string Name, int Input) ReadChannel(DeviceSettings channel)
    {
        channel.OnlyKnown("name", "input");
        return (channel.RequiredString("name"), channel.RequiredWholeNumber("input", 0, 7));
    }

    protected override void Disconnect()
    {
        // The binding disposes the SPI device it was given; BusChip disposing it again is harmless.
        _adc?.Dispose();
        _adc = null;
    }
}
