using System.Device.I2c;

namespace Robotics.Tests.Support.Chips;

/// <summary>
/// A chip on an I2C bus, at register level, as the driver sees it through <see cref="I2cDevice"/> (after dotnet/iot's
/// Bmxx80 SimulatedI2cDevice): a write's first byte sets the register pointer and the rest is data written from
/// there; a read returns data from the pointer. The chip's own rules (register width, auto-increment, reset
/// values, conversions) are the subclass's. <see cref="FailNext"/> makes transactions fail as a NACK does.
/// All members lock, so a test thread can set sensor values while the device thread polls.
/// </summary>
public abstract class SimulatedI2cDevice(int address) : I2cDevice
{
    private readonly Lock _lock = new();
    private int _failures;
    private byte _pointer;
    private int _transactions;

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, address);

    /// <summary>Transactions that reached the chip (failed ones included).</summary>
    public int Transactions => Inspect(() => _transactions);

    public bool Disposed { get; private set; }

    /// <summary>The bus opened again (a new i2c-dev handle): the same chip, with the registers it kept.</summary>
    public SimulatedI2cDevice Reopen()
    {
        Disposed = false;
        return this;
    }

    /// <summary>The next <paramref name="count"/> transactions fail as a missing acknowledge does on Linux (i2c-dev: EREMOTEIO).</summary>
    public void FailNext(int count)
    {
        lock (_lock)
        {
            _failures = count;
        }
    }

    /// <summary>Runs <paramref name="change"/> under the chip's lock (for a test changing what it measures).</summary>
    public void Change(Action change)
    {
        lock (_lock)
        {
            change();
        }
    }

    /// <summary>Reads the chip's state under its lock (for a test looking at its registers while a driver writes them).</summary>
    protected T Inspect<T>(Func<T> read)
    {
        lock (_lock)
        {
            return read();
        }
    }

    public override void Read(Span<byte> buffer)
    {
        lock (_lock)
        {
            Begin();
            ReadRegisters(_pointer, buffer);
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_lock)
        {
            Begin();
            _pointer = buffer[0];
            if (buffer.Length > 1)
            {
                WriteRegisters(_pointer, buffer[1..]);
            }
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_lock)
        {
            // One transaction with a repeated start: one chance to fail.
            Begin();
            _pointer = writeBuffer[0];
            if (writeBuffer.Length > 1)
            {
                WriteRegisters(_pointer, writeBuffer[1..]);
            }
            ReadRegisters(_pointer, readBuffer);
        }
    }

    /// <summary>Data written from register <paramref name="register"/> on.</summary>
    protected abstract void WriteRegisters(byte register, ReadOnlySpan<byte> data);

    /// <summary>Data read from register <paramref name="register"/> on.</summary>
    protected abstract void ReadRegisters(byte register, Span<byte> destination);

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    /// <summary>What Linux's i2c-dev reports when nothing acknowledges the address (EREMOTEIO).</summary>
    protected IOException Nack() => new($"Error 121 performing I2C data transfer (no acknowledge from 0x{ConnectionSettings.DeviceAddress:X2})");

    private void Begin()
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        _transactions++;
        if (_failures > 0)
        {
            _failures--;
            throw Nack();
        }
    }
}
