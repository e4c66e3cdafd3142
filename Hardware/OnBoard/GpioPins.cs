using System.Device.Gpio;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>
/// The <c>gpio</c> device: digital pins through System.Device.Gpio, read and written on the device's own
/// thread. Inputs (end stops, an emergency-stop button) read 1 when active; outputs (a relay, a brake, a lamp)
/// are driven active at 0.5 and above, and to their safe level when the device opens, on halt, e-stop and stop.
/// "Active" is the pin high, or low with <c>active_low</c>.
/// </summary>
public sealed class GpioPins : PolledDevice
{
    public const string Type = "gpio";

    private readonly BoardBuses _buses;
    private readonly int? _chip;
    private readonly Pin[] _inputs;
    private readonly Pin[] _outputs;
    private readonly PinValue[] _driven;
    private GpioController? _controller;

    private GpioPins(string name, BoardBuses buses, int? chip, TimeSpan period, Pin[] inputs, Pin[] outputs)
        : base(name, [.. inputs.Select(p => p.Name)], [.. outputs.Select(p => p.Name)], period)
    {
        _buses = buses;
        _chip = chip;
        _inputs = inputs;
        _outputs = outputs;
        _driven = new PinValue[outputs.Length];
    }

    /// <param name="Number">The pin in the chip's own numbering (a Raspberry Pi's BCM GPIO numbers).</param>
    /// <param name="Mode">For an input: its pull resistor.</param>
    /// <param name="SafeActive">For an output: active in the safe state.</param>
    private sealed record Pin(string Name, int Number, bool ActiveLow, PinMode Mode, bool SafeActive);

    /// <summary>
    /// Settings: chip (the gpiochip number; absent for the board's default), period_ms (default 2), inputs:
    /// [{ name, pin, pull ("up", "down", "none"; default none), active_low (default false) }], outputs:
    /// [{ name, pin, active_low, safe (0 or 1, default 0) }]; one of the lists at least, no pin in both.
    /// </summary>
    public static IDevice FromConfig(DeviceConfig config, BoardBuses buses)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown("chip", "period_ms", "inputs", "outputs");
        int chip = settings.WholeNumber("chip", -1, 0, 64);
        var period = TimeSpan.FromMilliseconds(settings.WholeNumber("period_ms", 2, 1, 1000));
        var inputs = settings.Objects("inputs", ReadInput, p => p.Number, optional: true);
        var outputs = settings.Objects("outputs", ReadOutput, p => p.Number, optional: true);
        if (inputs.Length + outputs.Length == 0)
        {
            throw new DeviceSettingsException("inputs", "a gpio device needs inputs or outputs");
        }
        if (inputs.FirstOrDefault(i => outputs.Any(o => o.Number == i.Number)) is { } both)
        {
            throw new DeviceSettingsException("outputs", $"pin {both.Number} is an input too");
        }
        settings.RequireUnique("outputs", inputs.Concat(outputs).Select(p => p.Name));
        return new GpioPins(config.Name!, buses, chip < 0 ? null : chip, period, inputs, outputs);
    }

    protected override void Open()
    {
        try
        {
            _controller = _buses.OpenGpio(_chip);
            foreach (var pin in _inputs)
            {
                _controller.OpenPin(pin.Number, pin.Mode);
            }
            for (int i = 0; i < _outputs.Length; i++)
            {
                // Opened straight at the safe level: no glitch to the other one on the way.
                _driven[i] = Level(_outputs[i], _outputs[i].SafeActive);
                _controller.OpenPin(_outputs[i].Number, PinMode.Output, _driven[i]);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            _controller?.Dispose();
            _controller = null;
            throw new IOException($"{Name}: cannot open its GPIO pins{(_chip is int chip ? $" on gpiochip{chip}" : "")}: {e.Message} (System.Device.Gpio needs libgpiod: apt install libgpiod2; and this user in the gpio group)", e);
        }
    }

    protected override bool Poll(Span<float> inputs)
    {
        for (int i = 0; i < _inputs.Length; i++)
        {
            bool high = _controller!.Read(_inputs[i].Number) == PinValue.High;
            inputs[i] = high != _inputs[i].ActiveLow ? 1 : 0;
        }
        return true;
    }

    protected override bool Send(ReadOnlySpan<float> outputs)
    {
        for (int i = 0; i < _outputs.Length; i++)
        {
            Drive(i, outputs[i] >= 0.5f);
        }
        return true;
    }

    protected override void SendSafe()
    {
        if (_controller is null)
        {
            return;
        }
        for (int i = 0; i < _outputs.Length; i++)
        {
            Drive(i, _outputs[i].SafeActive);
        }
    }

    protected override void Close()
    {
        _controller?.Dispose();
        _controller = null;
    }

    private static PinValue Level(Pin pin, bool active) => active != pin.ActiveLow ? PinValue.High : PinValue.Low;

    /// <summary>
    /// Sets output <paramref name="index"/> when its level changes only: the pins are ours alone, and
    /// GpioController.Write allocates (it records the value in a ConcurrentDictionary), 38 B a period measured.
    /// </summary>
    private void Drive(int index, bool active)
    {
        var level = Level(_outputs[index], active);
        if (level != _driven[index])
        {
            _controller!.Write(_outputs[index].Number, level);
            _driven[index] = level;
        }
    }

    private static Pin ReadInput(DeviceSettings pin)
    {
        pin.OnlyKnown("name", "pin", "pull", "active_low");
        var mode = pin.Choice("pull", "none", "up", "down", "none") switch
        {
            "up" => PinMode.InputPullUp,
            "down" => PinMode.InputPullDown,
            _ => PinMode.Input,
        };
        return new Pin(pin.RequiredString("name"), pin.RequiredWholeNumber("pin", 0, 1023), pin.Flag("active_low", false), mode, SafeActive: false);
    }

    private static Pin ReadOutput(DeviceSettings pin)
    {
        pin.OnlyKnown("name", "pin", "active_low", "safe");
        return new Pin(pin.RequiredString("name"), pin.RequiredWholeNumber("pin", 0, 1023), pin.Flag("active_low", false), PinMode.Output,
            pin.OneOf("safe", 0, (0, false), (1, true)));
    }
}
