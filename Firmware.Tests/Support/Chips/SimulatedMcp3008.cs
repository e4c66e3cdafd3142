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
            byte[] sent = writeBuffer.ToArray();
            byte[] answer = new byte[sent.Length];
            Converse(sent, answer);
            answer.CopyTo(readBuffer);
        }
    }

    private void Converse(byte[] sent, byte[] answer)
    {
        int bits = sent.Length * 8;
        bool Sent(int index) => (sent[index / 8] & (0x80 >> (index % 8))) != 0;
        void Answer(int index, bool one) =>
            answer[index / 8] = (byte)(one ? answer[index / 8] | (0x80 >> (index % 8)) : answer[index / 8] & ~(0x80 >> (index % 8)));
        Array.Fill(answer, (byte)0xFF);
        int start = Enumerable.Range(0, bits).FirstOrDefault(Sent, -1);
        if (Unplugged || start < 0 || start + 16 >= bits || !Sent(start + 1))
        {
            // Unplugged, no start bit, too short, or differential (not simulated): nothing but high impedance.
            return;
        }
        int input = (Sent(start + 2) ? 4 : 0) | (Sent(start + 3) ? 2 : 0) | (Sent(start + 4) ? 1 : 0);
        int code = (int)Math.Clamp(Math.Round(1024 * _volts[input] / referenceVolts), 0, 1023);
        Answer(start + 6, false);
        for (int bit = 0; bit < 10; bit++)
        {
            Answer(start + 7 + bit, (code & (0x200 >> bit)) != 0);
        }
    }

    public override void Read(Span<byte> buffer) => throw new NotSupportedException("the MCP3008 converts in full-duplex transfers");

    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException("the MCP3008 converts in full-duplex transfers");
}
