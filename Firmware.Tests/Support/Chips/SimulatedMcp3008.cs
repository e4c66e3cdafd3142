using System.Device.Spi;

namespace Robotics.Tests.Support.Chips;

/// <summary>
/// An MCP3008 at bit level (Microchip DS21295, §6.1 and figure 6-1): in a full-duplex transfer the first 1 the
/// controller sends is the start bit, then SGL/DIFF and D2–D0 choose the input; one clock samples it, then the
/// chip sends a null bit (0) and the 10-bit code, most significant bit first: code = 1024 × VIN / VREF. Before
/// the null bit its output is high impedance, read here as 1s. <see cref="Unplugged"/> leaves MISO pulled high.
/// </summary>
public sealed class SimulatedMcp3008(double referenceVolts = 3.3) : SpiDevice
{
    private readonly Lock _lock = new();
    private readonly double[] _volts = new double[8];

    public override SpiConnectionSettings ConnectionSettings { get; } = new(0, 0);

    /// <summary>No chip on the line: every bit reads 1.</summary>
    public bool Unplugged { get; set; }

    public void Apply(int input, double volts)
    {
        lock (_lock)
        {
            _volts[input] = volts;
        }
    }

    public override void TransferFullDuplex(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        lock (_lock)
        {
            // High impedance reads as 1s; only the null bit and the code are driven.
            readBuffer.Fill(0xFF);
            int bits = writeBuffer.Length * 8;
            int start = 0;
            while (start < bits && !Bit(writeBuffer, start))
            {
                start++;
            }
            if (Unplugged || start + 16 >= bits || !Bit(writeBuffer, start + 1))
            {
                // Unplugged, no start bit, too short, or differential (not simulated): nothing is driven.
                return;
            }
            int input = (Bit(writeBuffer, start + 2) ? 4 : 0) | (Bit(writeBuffer, start + 3) ? 2 : 0) | (Bit(writeBuffer, start + 4) ? 1 : 0);
            int code = (int)Math.Clamp(Math.Round(1024 * _volts[input] / referenceVolts), 0, 1023);
            SetBit(readBuffer, start + 6, false);
            for (int bit = 0; bit < 10; bit++)
            {
                SetBit(readBuffer, start + 7 + bit, (code & (0x200 >> bit)) != 0);
            }
        }
    }

    public override void Read(Span<byte> buffer) => throw new NotSupportedException("the MCP3008 converts in full-duplex transfers");

    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException("the MCP3008 converts in full-duplex transfers");

    /// <summary>Bit <paramref name="index"/> of a transfer, counted from the first byte's most significant bit (SPI mode 0,0 sends MSB first).</summary>
    private static bool Bit(ReadOnlySpan<byte> bytes, int index) => (bytes[index / 8] & (0x80 >> (index % 8))) != 0;

    private static void SetBit(Span<byte> bytes, int index, bool one)
    {
        int mask = 0x80 >> (index % 8);
        bytes[index / 8] = (byte)(one ? bytes[index / 8] | mask : bytes[index / 8] & ~mask);
    }
}
