using System.Device.I2c;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>The settings every I2C chip takes (docs/robot-config.md, "Drivers").</summary>
/// <param name="Bus">The Linux I2C bus number (/dev/i2c-N; a Raspberry Pi's header is bus 1).</param>
public sealed record I2cChipSettings(int Bus, int Address, TimeSpan Period, int Retries)
{
    /// <summary>bus (default 1), address (the chip's default), period_ms, retries (default 2).</summary>
    public static I2cChipSettings From(DeviceSettings settings, int defaultAddress, int defaultPeriodMs) => new(
        settings.WholeNumber("bus", 1, 0, 255),
        // 7-bit addresses; 0x00–0x07 and 0x78–0x7F are reserved (I2C-bus specification UM10204, table 4).
        settings.Address("address", defaultAddress, 0x08, 0x77),
        TimeSpan.FromMilliseconds(settings.WholeNumber("period_ms", defaultPeriodMs, 1, 10_000)),
        settings.WholeNumber("retries", 2, 0, 10));
}

/// <summary>
/// A chip on an I2C bus, driven through its Iot.Device.Bindings driver (or registers of our own where the
/// binding falls short) on the device's own thread. A transaction that fails (a NACK or a bus error is an
/// <see cref="IOException"/> from i2c-dev; a conversion that never finishes a <see cref="TimeoutException"/>)
/// is retried up to <c>retries</c> more times; what is still failing counts as an error and the thread tries
/// again next period, so a chip that went away shows as an ageing sample. Opening checks the chip answers.
/// </summary>
public abstract class I2cChip : PolledDevice
{
    private readonly BoardBuses _buses;
    private readonly I2cChipSettings _settings;
    private readonly float[] _inputBuffer;
    private readonly float[] _outputBuffer;
    // Made once: the device thread retries transactions every period without allocating.
    private readonly Action _readInputs;
    private readonly Action _sendOutputs;
    private readonly Action _sendSafe;
    private I2cDevice? _device;
    private long _retried;
    private long _failed;

    protected I2cChip(string name, I2cChipSettings settings, BoardBuses buses, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
        : base(name, inputs, outputs, settings.Period)
    {
        _buses = buses;
        _settings = settings;
        _inputBuffer = new float[inputs.Count];
        _outputBuffer = new float[outputs.Count];
        _readInputs = () => ReadInputs(_inputBuffer);
        _sendOutputs = () => SendOutputs(_outputBuffer);
        _sendSafe = SendSafeOutputs;
    }

    /// <summary>What the chip is, for messages: "MPU-6050".</summary>
    protected abstract string Chip { get; }

    /// <summary>Transactions that failed once and were tried again.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Transactions that still failed after every retry.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    protected override void AddCounters(Dictionary<string, long> counters)
    {
        counters["retried"] = Retried;
        counters["failed"] = Failed;
    }

    /// <summary>Makes the binding on the opened device and checks the chip (its ID, its reset values).</summary>
    protected abstract void Connect(I2cDevice device);

    /// <summary>Reads every input; throws on a bus error. Chips with no inputs (a PWM board) have nothing to read.</summary>
    protected virtual void ReadInputs(Span<float> inputs)
    {
    }

    /// <summary>Sends every output; throws on a bus error. Chips with no outputs have nothing to send.</summary>
    protected virtual void SendOutputs(ReadOnlySpan<float> outputs)
    {
    }

    /// <summary>Puts the outputs in their safe state; throws on a bus error.</summary>
    protected virtual void SendSafeOutputs()
    {
    }

    /// <summary>Lets go of the binding (the device itself is closed here).</summary>
    protected abstract void Disconnect();

    protected override void Open()
    {
        _device = _buses.OpenI2c(new I2cConnectionSettings(_settings.Bus, _settings.Address));
        var error = Attempt(() => Connect(_device));
        if (error is not null)
        {
            _device.Dispose();
            _device = null;
            throw new IOException($"{Name}: no {Chip} answering on I2C bus {_settings.Bus} at address 0x{_settings.Address:X2}: {error.Message}", error);
        }
    }

    protected override bool Poll(Span<float> inputs)
    {
        if (Attempt(_readInputs) is not null)
        {
            return false;
        }
        _inputBuffer.CopyTo(inputs);
        return true;
    }

    protected override bool Send(ReadOnlySpan<float> outputs)
    {
        outputs.CopyTo(_outputBuffer);
        return Attempt(_sendOutputs) is null;
    }

    protected override void SendSafe()
    {
        // Halt and stop must not throw; a safe state that could not be sent is counted, and tried again next period while halted.
        Attempt(_sendSafe);
    }

    protected override void Close()
    {
        if (_device is not null)
        {
            Disconnect();
            _device.Dispose();
            _device = null;
        }
    }

    private static bool IsBusError(Exception e) => e is IOException or TimeoutException;

    /// <summary>Counts a failed attempt; true when another is allowed.</summary>
    private bool Retry(int attempt)
    {
        if (attempt < _settings.Retries)
        {
            Interlocked.Increment(ref _retried);
            return true;
        }
        Interlocked.Increment(ref _failed);
        return false;
    }

    /// <summary>Runs a whole transaction with retries; the last bus error, or null once it went through.</summary>
    private Exception? Attempt(Action transaction)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                transaction();
                return null;
            }
            catch (Exception e) when (IsBusError(e))
            {
                if (!Retry(attempt))
                {
                    return e;
                }
            }
        }
    }
}
