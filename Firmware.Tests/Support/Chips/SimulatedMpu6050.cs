using System.Buffers.Binary;

namespace Robotics.Tests.Support.Chips;

/// <summary>
/// An MPU-6050 at register level (MPU-6000/6050 Register Map rev 4.2): 8-bit registers read and written with
/// auto-increment; PWR_MGMT_1 resets to 0x40 (asleep) and WHO_AM_I reads 0x68; DEVICE_RESET puts every register
/// back. Measurements are raw sensor counts set by the test; an asleep chip's data registers read 0.
/// </summary>
public sealed class SimulatedMpu6050 : SimulatedI2cDevice
{
    public const byte GyroConfig = 0x1B;
    public const byte AccelConfig = 0x1C;
    public const byte AccelXoutH = 0x3B;
    public const byte GyroXoutH = 0x43;
    public const byte PowerManagement1 = 0x6B;
    public const byte WhoAmI = 0x75;
    private const byte DeviceReset = 0x80;
    private const byte Sleep = 0x40;

    private readonly byte[] _registers = new byte[128];
    private readonly short[] _acceleration = new short[3];
    private readonly short[] _rate = new short[3];

    public SimulatedMpu6050()
        : base(0x68) => Reset();

    /// <summary>What WHO_AM_I reads after a reset: 0x68 for an MPU-6050 (an MPU-9250 says 0x71).</summary>
    public byte Identity { get; init; } = 0x68;

    private void Reset()
    {
        Array.Clear(_registers);
        _registers[PowerManagement1] = Sleep;
        _registers[WhoAmI] = Identity;
    }

    public byte Register(byte address) => Inspect(() => _registers[address]);

    /// <summary>Raw counts of ACCEL_X/Y/ZOUT and GYRO_X/Y/ZOUT, what the ADCs would hold.</summary>
    public void Measure(short ax, short ay, short az, short gx, short gy, short gz) => Change(() =>
    {
        (_acceleration[0], _acceleration[1], _acceleration[2]) = (ax, ay, az);
        (_rate[0], _rate[1], _rate[2]) = (gx, gy, gz);
    });

    protected override void WriteRegisters(byte register, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            int address = (register + i) & 0x7F;
            if (address == PowerManagement1 && (data[i] & DeviceReset) != 0)
            {
                Reset();
                continue;
            }
            _registers[address] = data[i];
        }
    }

    protected override void ReadRegisters(byte register, Span<byte> destination)
    {
        bool awake = (_registers[PowerManagement1] & Sleep) == 0;
        for (int i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(AccelXoutH + 2 * i), awake ? _acceleration[i] : (short)0);
            BinaryPrimitives.WriteInt16BigEndian(_registers.AsSpan(GyroXoutH + 2 * i), awake ? _rate[i] : (short)0);
        }
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = _registers[(register + i) & 0x7F];
        }
    }
}
