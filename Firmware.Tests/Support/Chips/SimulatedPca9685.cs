namespace Robotics.Tests.Support.Chips;

/// <summary>
/// A PCA9685 at register level (NXP product data sheet rev. 4, §7.3): 8-bit registers, auto-increment when
/// MODE1.AI is set; MODE1 resets to 0x11 (asleep), PRE_SCALE to 0x1E (200 Hz), every LEDn_OFF_H to 0x10
/// (full off); PRE_SCALE only takes a write while asleep (§7.3.5); ALL_LED writes every channel.
/// </summary>
public sealed class SimulatedPca9685 : SimulatedI2cDevice
{
    public const byte Mode1 = 0x00;
    public const byte PreScale = 0xFE;
    private const byte Led0OnL = 0x06;
    private const byte AllLedOnL = 0xFA;
    private const byte AutoIncrement = 0x20;
    private const byte Sleep = 0x10;
    private const double OscillatorHz = 25e6;

    private readonly byte[] _registers = new byte[256];

    public SimulatedPca9685(int address = 0x40)
        : base(address)
    {
        _registers[Mode1] = 0x11;
        _registers[PreScale] = 0x1E;
        for (int channel = 0; channel < 16; channel++)
        {
            _registers[Led0OnL + 4 * channel + 3] = 0x10;
        }
    }

    public byte Register(byte address) => Inspect(() => _registers[address]);

    public bool Asleep => Inspect(() => AsleepNow);

    private bool AsleepNow => (_registers[Mode1] & Sleep) != 0;

    /// <summary>The pulse a servo on <paramref name="channel"/> sees, in µs (0 when the output is off or the chip asleep).</summary>
    public double PulseMicroseconds(int channel) => Inspect(() => Pulse(channel));

    private double Pulse(int channel)
    {
        int at = Led0OnL + 4 * channel;
        bool fullOff = (_registers[at + 3] & 0x10) != 0;
        bool fullOn = (_registers[at + 1] & 0x10) != 0;
        if (AsleepNow || fullOff)
        {
            return 0;
        }
        // The output period is (PRE_SCALE + 1) × 4096 oscillator cycles (§7.3.5).
        double periodUs = (_registers[PreScale] + 1) * 4096 / OscillatorHz * 1e6;
        if (fullOn)
        {
            return periodUs;
        }
        int on = _registers[at] | (_registers[at + 1] & 0x0F) << 8;
        int off = _registers[at + 2] | (_registers[at + 3] & 0x0F) << 8;
        return ((off - on + 4096) % 4096) / 4096.0 * periodUs;
    }

    protected override void WriteRegisters(byte register, ReadOnlySpan<byte> data)
    {
        bool autoIncrement = (_registers[Mode1] & AutoIncrement) != 0;
        for (int i = 0; i < (autoIncrement ? data.Length : 1); i++)
        {
            Store((byte)(register + i), data[i]);
        }
    }

    protected override void ReadRegisters(byte register, Span<byte> destination)
    {
        bool autoIncrement = (_registers[Mode1] & AutoIncrement) != 0;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = _registers[(byte)(register + (autoIncrement ? i : 0))];
        }
    }

    private void Store(byte address, byte value)
    {
        if (address == PreScale && !AsleepNow)
        {
            return;
        }
        if (address >= AllLedOnL && address <= AllLedOnL + 3)
        {
            for (int channel = 0; channel < 16; channel++)
            {
                _registers[Led0OnL + 4 * channel + address - AllLedOnL] = value;
            }
            return;
        }
        _registers[address] = value;
    }
}
