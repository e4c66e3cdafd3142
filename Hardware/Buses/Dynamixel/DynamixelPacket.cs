using System.Buffers.Binary;

namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>Instruction codes of Dynamixel Protocol 2.0 (ROBOTIS e-Manual, "Protocol 2.0", Instruction).</summary>
public enum DynamixelInstruction : byte
{
    Ping = 0x01,
    Read = 0x02,
    Write = 0x03,
    /// <summary>The code a status packet (a servo's answer) carries.</summary>
    Status = 0x55,
    SyncRead = 0x82,
    SyncWrite = 0x83,
}

/// <summary>
/// Dynamixel Protocol 2.0 framing: <c>FF FF FD 00 | ID | LEN_L LEN_H | INST | PARAMS… | CRC_L CRC_H</c>, LEN
/// counting the bytes after itself. Inside the instruction and parameters, every <c>FF FF FD</c> is followed by
/// an extra <c>FD</c> ("byte stuffing") so that a header never appears inside a packet; LEN and the CRC count
/// the stuffed bytes. Multi-byte values are little-endian.
/// </summary>
public static class DynamixelPacket
{
    public const byte BroadcastId = 0xFE;

    /// <summary>Header, ID, length, instruction and CRC: a packet's bytes besides its parameters.</summary>
    public const int Overhead = 10;

    internal static ReadOnlySpan<byte> Header => [0xFF, 0xFF, 0xFD, 0x00];

    /// <summary>The largest packet this code builds or accepts (a 6-servo sync write of 4 bytes each is 44).</summary>
    public const int MaxLength = 1024;

    /// <summary>Writes a whole packet into <paramref name="destination"/>; returns its length.</summary>
    /// <exception cref="ArgumentException">The packet would not fit.</exception>
    public static int Build(Span<byte> destination, byte id, DynamixelInstruction instruction, ReadOnlySpan<byte> parameters)
    {
        // Worst case, stuffing adds one byte for every three.
        if (destination.Length < Overhead + parameters.Length + parameters.Length / 3 + 1)
        {
            throw new ArgumentException($"a packet with {parameters.Length} parameter bytes does not fit in {destination.Length} bytes", nameof(destination));
        }
        Header.CopyTo(destination);
        destination[4] = id;
        int at = 7;
        at = AppendStuffed(destination, at, (byte)instruction);
        foreach (byte b in parameters)
        {
            at = AppendStuffed(destination, at, b);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination[5..], (ushort)(at - 7 + 2));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[at..], DynamixelCrc.Compute(destination[..at]));
        return at + 2;
    }

    /// <summary>
    /// Removes the stuffing from the instruction and parameters of a received packet, in place; returns the
    /// unstuffed length.
    /// </summary>
    public static int Unstuff(Span<byte> body)
    {
        int written = 0;
        for (int read = 0; read < body.Length; read++)
        {
            body[written++] = body[read];
            if (written >= 3 && body[written - 3] == 0xFF && body[written - 2] == 0xFF && body[written - 1] == 0xFD && read + 1 < body.Length && body[read + 1] == 0xFD)
            {
                read++;
            }
        }
        return written;
    }

    private static int AppendStuffed(Span<byte> packet, int at, byte value)
    {
        packet[at++] = value;
        // The pattern counts only within the stuffed region, which begins at the instruction (offset 7).
        if (at - 7 >= 3 && packet[at - 3] == 0xFF && packet[at - 2] == 0xFF && packet[at - 1] == 0xFD)
        {
            packet[at++] = 0xFD;
        }
        return at;
    }
}
