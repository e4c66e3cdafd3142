using System.Device.Gpio;

namespace Robotics.Tests.Support.Chips;

/// <summary>
/// A GPIO chip as System.Device.Gpio's driver layer sees it: pins with a mode and a level. An input reads the
/// level the test drives on it, or its pull resistor's level when nothing drives it (floating reads low); an
/// output reads what was written. Every write is logged.
/// </summary>
public sealed class SimulatedGpioDriver(int pinCount = 54) : GpioDriver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, PinValue> _driven = [];
    private readonly Dictionary<int, PinValue> _outputs = [];

    public bool Disposed { get; private set; }

    /// <summary>Something outside drives <paramref name="pin"/> (a button pulls it low, a switch opens); null lets it float.</summary>
    public void Drive(int pin, PinValue? level)
    {
        lock (_lock)
        {
            if (level is PinValue value)
            {
                _driven[pin] = value;
            }
            else
            {
                _driven.Remove(pin);
            }
        }
    }

    /// <summary>The level an output is at, or null while the pin is not an open output.</summary>
    public PinValue? Output(int pin)
    {
        lock (_lock)
        {
            return _modes.GetValueOrDefault(pin) == PinMode.Output && _outputs.TryGetValue(pin, out var value) ? value : null;
        }
    }

    public PinMode? Mode(int pin)
    {
        lock (_lock)
        {
            return _modes.TryGetValue(pin, out var mode) ? mode : null;
        }
    }

    protected override int PinCount => pinCount;

    protected override void OpenPin(int pinNumber)
    {
        lock (_lock)
        {
            _modes[pinNumber] = PinMode.Input;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_lock)
        {
            _modes.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_lock)
        {
            _modes[pinNumber] = mode;
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_lock)
        {
            return _modes[pinNumber];
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => pinNumber < pinCount;

    protected override PinValue Read(int pinNumber)
    {
        lock (_lock)
        {
            return _modes[pinNumber] switch
            {
                PinMode.Output => _outputs.GetValueOrDefault(pinNumber, PinValue.Low),
                var mode when _driven.TryGetValue(pinNumber, out var level) => level,
                PinMode.InputPullUp => PinValue.High,
                _ => PinValue.Low,
            };
        }
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_lock)
        {
            _outputs[pinNumber] = value;
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the drivers poll their pins");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the drivers poll their pins");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("the drivers poll their pins");

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
