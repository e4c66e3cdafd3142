using System.Buffers.Binary;

namespace Robotics.Tests.Support.Chips;

/// <summary>
/// An ADS1115 at register level (TI SBAS444): 16-bit registers, most significant byte first, behind a pointer
/// (0 conversion, 1 config, 2 Lo_thresh, 3 Hi_thresh). Writing the config with OS set starts a conversion of
/// the input pair MUX selects at the full scale PGA selects, from the voltages the test puts on AIN0–AIN3;
/// the config reads OS = 0 (busy) once, then 1, as a real conversion takes a while.
/// </summary>
public sealed class SimulatedAds1115() : SimulatedI2cDevice(0x48)
{
    // Config register fields (SBAS444, "Config Register"): OS bit 15, MUX bits 14–12, PGA bits 11–9, MODE bit 8.
    private const ushort StartConversion = 0x8000;
    private static readonly double[] FullScale = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];

    private readonly double[] _volts = new double[4];
    private readonly ushort[] _registers = [0x0000, 0x8583, 0x8000, 0x7FFF];
    private int _busyReads;

    // A set, not a list: once every value has been seen, writing one again allocates nothing on the driver's thread.
    private readonly HashSet<ushort> _configWrites = [];

    /// <summary>Every distinct value written to the config register.</summary>
    public IReadOnlySet<ushort> ConfigWrites => Inspect(() => _configWrites.ToHashSet());

    public void Apply(int input, double volts) => Change(() => _volts[input] = volts);

    protected override void WriteRegisters(byte register, ReadOnlySpan<byte> data)
    {
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(data);
        _registers[register & 3] = value;
        if ((register & 3) != 1)
        {
            return;
        }
        _configWrites.Add(value);
        if ((value & StartConversion) != 0)
        {
            _registers[0] = (ushort)Convert(value);
            _busyReads = 1;
        }
    }

    protected override void ReadRegisters(byte register, Span<byte> destination)
    {
        ushort value = _registers[register & 3];
        if ((register & 3) == 1)
        {
            value = (ushort)(_busyReads > 0 ? value & ~StartConversion : value | StartConversion);
            _busyReads = Math.Max(0, _busyReads - 1);
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, value);
    }

    /// <summary>The output code (SBAS444, "Data Format"): the input over the LSB of FS/2^15, clipped at 0x8000 and 0x7FFF.</summary>
    private short Convert(ushort config)
    {
        int mux = (config >> 12) & 7;
        double input = mux switch
        {
            0 => _volts[0] - _volts[1],
            1 => _volts[0] - _volts[3],
            2 => _volts[1] - _volts[3],
            3 => _volts[2] - _volts[3],
            _ => _volts[mux - 4],
        };
        double lsb = FullScale[(config >> 9) & 7] / 32768;
        return (short)Math.Clamp(Math.Round(input / lsb), short.MinValue, short.MaxValue);
    }
}
