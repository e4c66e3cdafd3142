using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

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
    public static int Decode(ReadOnlySpan<byte> frame, Span<byte> payload) =>
        TryDecode(frame, payload, out int length, out string? damage) ? length : throw new InvalidDataException(damage);

    /// <summary>
    /// Decodes one frame (its bytes up to, not including, the delimiter) into its payload; false, saying why,
    /// for bad COBS, a frame too short to hold a CRC, or a CRC that does not match. Allocates nothing.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> frame, Span<byte> payload, out int length, [NotNullWhen(false)] out string? damage)
    {
        Span<byte> plain = stackalloc byte[frame.Length];
        length = 0;
        if (!Cobs.TryDecode(frame, plain, out int plainLength, out damage))
        {
            return false;
        }
        if (plainLength < 2)
        {
            damage = "frame too short for its CRC";
            return false;
        }
        ushort expected = BinaryPrimitives.ReadUInt16LittleEndian(plain[(plainLength - 2)..]);
        if (Crc16Ccitt.Compute(plain[..(plainLength - 2)]) != expected)
        {
            damage = "frame CRC does not match its contents";
            return false;
        }
        length = plainLength - 2;
        plain[..length].CopyTo(payload);
        return true;
    }
}
