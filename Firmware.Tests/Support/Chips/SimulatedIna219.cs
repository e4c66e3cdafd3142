using System.Buffers.Binary;

namespace Robotics.Tests.Support.Chips;

/// <summary>
/// An INA219 at register level (TI SBOS448G §8.6): 16-bit registers, most significant byte first; the
/// configuration resets to 0x399F (and on RST); the shunt voltage register holds the shunt drop in 10 µV steps,
/// signed and clipped at the gain's full scale; the bus voltage register the bus in 4 mV steps in bits 15–3 with
/// CNVR (bit 1) set.
/// </summary>
public sealed class SimulatedIna219 : SimulatedI2cDevice
{
    public const ushort PowerOnConfiguration = 0x399F;
    private readonly ushort[] _registers = new ushort[6];
    private double _shuntVolts;
    private double _busVolts;

    public SimulatedIna219(int address = 0x40)
        : base(address) => _registers[0] = PowerOnConfiguration;

    public ushort Configuration => Inspect(() => _registers[0]);

    /// <summary>What the chip measures: the drop across the shunt and the bus voltage at IN−.</summary>
    public void Measure(double shuntVolts, double busVolts) => Change(() => (_shuntVolts, _busVolts) = (shuntVolts, busVolts));

    protected override void WriteRegisters(byte register, ReadOnlySpan<byte> data)
    {
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (register == 0)
        {
            _registers[0] = (value & 0x8000) != 0 ? PowerOnConfiguration : value;
        }
        else if (register == 5)
        {
            _registers[5] = value;
        }
    }

    protected override void ReadRegisters(byte register, Span<byte> destination)
    {
        // PG (bits 12–11) sets the full scale: ±40 mV × 2^PG, i.e. ±4000 × 2^PG counts of 10 µV.
        int fullScale = 4000 << ((_registers[0] >> 11) & 3);
        _registers[1] = (ushort)(short)Math.Clamp(Math.Round(_shuntVolts / 10e-6), -fullScale, fullScale);
        _registers[2] = (ushort)(((int)Math.Round(_busVolts / 4e-3) << 3) | 0b10);
        BinaryPrimitives.WriteUInt16BigEndian(destination, _registers[register % 6]);
    }
}
