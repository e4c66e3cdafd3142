namespace Robotics.Hardware.Buses.Framed;

/// <summary>
/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, most significant bit first, no final XOR
/// (check value 0x29B1 for the ASCII "123456789"). Common on microcontrollers, with a table-free form small
/// enough for an 8-bit board.
/// </summary>
public static class Crc16Ccitt
{
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (byte b in data)
        {
            crc ^= (ushort)(b << 8);
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }
        return crc;
    }
}
