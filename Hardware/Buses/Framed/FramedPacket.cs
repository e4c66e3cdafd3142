using System.Buffers.Binary;

namespace Robotics.Hardware.Buses.Framed;

/// <summary>
/// The framing for a user's own microcontroller board (docs/robot-config.md, "Framed serial"): a payload
/// followed by its CRC-16/CCITT-FALSE (2 bytes, little-endian), COBS-encoded, ended by one zero byte.
/// The payload's first byte says what the frame is; the rest is the board's to define.
/// </summary>
public static class FramedPacket
{
    public const byte Delimiter = 0;

    /// <summary>The most a frame of <paramref name="payloadLength"/> bytes takes on the wire, delimiter included.</summary>
    public static int MaxFrameLength(int payloadLength) => Cobs.MaxEncodedLength(payloadLength + 2) + 1;

    /// <summary>Writes the frame for <paramref name="payload"/>; returns its length on the wire.</summary>
    public static int Encode(ReadOnlySpan<byte> payload, Span<byte> frame)
    {
        Span<byte> plain = stackalloc byte[payload.Length + 2];
        payload.CopyTo(plain);
        BinaryPrimitives.WriteUInt16LittleEndian(plain[payload.Length..], Crc16Ccitt.Compute(payload));
        int length = Cobs.Encode(plain, frame);
        frame[length] = Delimiter;
        return length + 1;
    }

    /// <summary>Decodes one frame (its bytes up to, not including, the delimiter) into its payload; returns the payload's length.</summary>
    /// <exception cref="InvalidDataException">Bad COBS, too short to hold a CRC, or a CRC that does not match.</exception>
    public static int Decode(ReadOnlySpan<byte> frame, Span<byte> payload)
    {
        Span<byte> plain = stackalloc byte[frame.Length];
        int length = Cobs.Decode(frame, plain);
        if (length < 2)
        {
            throw new InvalidDataException($"frame of {length} bytes: too short for its CRC");
        }
        ushort expected = BinaryPrimitives.ReadUInt16LittleEndian(plain[(length - 2)..]);
        ushort actual = Crc16Ccitt.Compute(plain[..(length - 2)]);
        if (expected != actual)
        {
            throw new InvalidDataException($"frame CRC {actual:X4} where the frame says {expected:X4}");
        }
        plain[..(length - 2)].CopyTo(payload);
        return length - 2;
    }
}
