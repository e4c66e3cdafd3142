using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses.Framed;

/// <summary>The <c>framed-serial</c> device's settings (docs/robot-config.md, "framed-serial").</summary>
/// <param name="Inputs">The board's input channels, in the order of a SAMPLE's values.</param>
/// <param name="Outputs">Its output channels, in the order of a SET_OUTPUTS's values.</param>
/// <param name="Boot">How long a board takes to start after its port opens (some reset then), before it is sent HELLO.</param>
/// <param name="OutputTimeout">How long the board keeps its outputs without a SET_OUTPUTS before it goes safe by itself (zero: never).</param>
public sealed record FramedSerialSettings(string Port, int Baud, string[] Inputs, string[] Outputs, TimeSpan Period, TimeSpan Timeout, int Retries, TimeSpan Boot, TimeSpan OutputTimeout)
{
    /// <summary>The fewest periods an output timeout may span: SET_OUTPUTS come at most once a period, and a period or two late on a busy host.</summary>
    private const int MinOutputTimeoutPeriods = 3;

    /// <summary>
    /// port, baud (default 115,200), inputs, outputs (none), period_ms (10), timeout_ms (20), retries (2), boot_ms (0),
    /// output_timeout_ms (200; 0 for none, else at least 3 periods).
    /// </summary>
    /// <exception cref="DeviceSettingsException">A setting is missing or out of range.</exception>
    public static FramedSerialSettings From(DeviceConfig config)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown("port", "baud", "inputs", "outputs", "period_ms", "timeout_ms", "retries", "boot_ms", "output_timeout_ms");
        int periodMs = settings.WholeNumber("period_ms", 10, 1, 1000);
        int outputTimeoutMs = settings.WholeNumber("output_timeout_ms", 200, 0, 60_000);
        if (outputTimeoutMs != 0 && outputTimeoutMs < MinOutputTimeoutPeriods * periodMs)
        {
            throw new DeviceSettingsException(settings.Field("output_timeout_ms"),
                $"must be 0 (none) or at least {MinOutputTimeoutPeriods} periods of period_ms ({MinOutputTimeoutPeriods * periodMs}), got {outputTimeoutMs}");
        }
        return new FramedSerialSettings(
            settings.RequiredString("port"),
            settings.WholeNumber("baud", 115_200, 1200, 4_000_000),
            settings.Names("inputs", required: true, FramedMessage.MaxChannels),
            settings.Names("outputs", required: false, FramedMessage.MaxChannels),
            TimeSpan.FromMilliseconds(periodMs),
            TimeSpan.FromMilliseconds(settings.WholeNumber("timeout_ms", 20, 1, 1000)),
            settings.WholeNumber("retries", 2, 0, 10),
            TimeSpan.FromMilliseconds(settings.WholeNumber("boot_ms", 0, 0, 10_000)),
            TimeSpan.FromMilliseconds(outputTimeoutMs));
    }
}
