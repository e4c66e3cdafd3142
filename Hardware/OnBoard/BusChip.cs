using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>
/// A chip on an I2C or SPI bus (<typeparamref name="TBus"/>: <see cref="System.Device.I2c.I2cDevice"/>,
/// <see cref="System.Device.Spi.SpiDevice"/>), driven through its Iot.Device.Bindings driver (or registers of our
/// own where the binding falls short) on the device's own thread. A transaction that fails (a NACK or a bus
/// error is an <see cref="IOException"/> from i2c-dev and spidev; a conversion that never finishes a
/// <see cref="TimeoutException"/>) is retried up to <c>retries</c> more times; what is still failing counts as an
/// error and the thread tries again next period, so a chip that went away shows as an ageing sample. Opening
/// checks the chip answers.
/// </summary>
public abstract class BusChip<TBus> : PolledDevice
    where TBus : class, IDisposable
{
    private readonly ChipLink<TBus> _link;
    private readonly float[] _inputBuffer;
    private readonly float[] _outputBuffer;
    // Made once: the device thread retries transactions every period without allocating.
    private readonly Action _readInputs;
    private readonly Action _sendOutputs;
    private readonly Action _sendSafe;
    private TBus? _device;
    private long _retried;
    private long _failed;

    protected BusChip(string name, ChipLink<TBus> link, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
        : base(name, inputs, outputs, link.Period)
    {
        _link = link;
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
    protected abstract void Connect(TBus device);

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
        TBus device;
        try
        {
            device = _link.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // No such bus (i2c-dev not loaded, the interface not enabled) or no permission (the i2c or spi group).
            throw new IOException($"{Name}: cannot open {_link.Location} for its {Chip}: {e.Message}", e);
        }
        Exception? error;
        try
        {
            error = Attempt(() => Connect(device));
        }
        catch
        {
            device.Dispose();
            throw;
        }
        if (error is not null)
        {
            device.Dispose();
            throw new IOException($"{Name}: no {Chip} answering on {_link.Location}: {error.Message}", error);
        }
        _device = device;
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
        if (_device is not null)
        {
            Attempt(_sendSafe);
        }
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

    /// <summary>Whether an exception from the binding is the bus failing (worth a retry) rather than a bug.</summary>
    protected virtual bool IsBusError(Exception e) => e is IOException or TimeoutException;

    /// <summary>Counts a failed attempt; true when another is allowed.</summary>
    private bool Retry(int attempt)
    {
        if (attempt < _link.Retries)
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
