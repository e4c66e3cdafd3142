namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>
/// The CRC of Dynamixel Protocol 2.0 packets: CRC-16 with polynomial x¹⁶ + x¹⁵ + x² + 1 (0x8005), initial
/// value 0, most significant bit first, no final XOR (ROBOTIS e-Manual, "Protocol 2.0", CRC section), over
/// every byte of the packet from the header to the last parameter, after byte stuffing.
/// </summary>
public static class DynamixelCrc
{
    private const ushort Polynomial = 0x8005;
    private static readonly ushort[] Table = BuildTable();

    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }
        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            ushort value = (ushort)(i << 8);
            for (int bit = 0; bit < 8; bit++)
            {
                value = (value & 0x8000) != 0 ? (ushort)((value << 1) ^ Polynomial) : (ushort)(value << 1);
            }
            table[i] = value;
        }
        return table;
    }
}
