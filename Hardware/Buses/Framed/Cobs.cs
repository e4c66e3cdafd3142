using System.Diagnostics.CodeAnalysis;

namespace Robotics.Hardware.Buses.Framed;

/// <summary>
/// Consistent Overhead Byte Stuffing (Cheshire and Baker, "Consistent Overhead Byte Stuffing", IEEE/ACM
/// Transactions on Networking 7(2), 1999): rewrites a frame so that it contains no zero byte, at a cost of one
/// byte per 254 plus one, so that a zero can end every frame and a receiver that starts mid-stream, or loses
/// bytes, finds the next frame at the next zero.
/// </summary>
public static class Cobs
{
    /// <summary>The most an encoding of <paramref name="length"/> bytes can take (without the delimiter).</summary>
    public static int MaxEncodedLength(int length) => length + length / 254 + 1;

    /// <summary>Encodes <paramref name="source"/> into <paramref name="destination"/>; returns the encoded length (no delimiter written).</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxEncodedLength(source.Length))
        {
            throw new ArgumentException($"{MaxEncodedLength(source.Length)} bytes needed to encode {source.Length}", nameof(destination));
        }
        int codeAt = 0;
        int write = 1;
        byte code = 1;
        for (int i = 0; i < source.Length; i++)
        {
            if (source[i] == 0)
            {
                destination[codeAt] = code;
                codeAt = write++;
                code = 1;
                continue;
            }
            destination[write++] = source[i];
            code++;
            // A full block of 254 bytes ends without an implied zero; another block starts only if bytes follow.
            if (code == 0xFF && i + 1 < source.Length)
            {
                destination[codeAt] = code;
                codeAt = write++;
                code = 1;
            }
        }
        destination[codeAt] = code;
        return write;
    }

    /// <summary>Decodes one frame (without its delimiter); returns the decoded length.</summary>
    /// <exception cref="InvalidDataException">A zero inside the frame, or a code that runs past its end.</exception>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination) =>
        TryDecode(source, destination, out int length, out string? damage) ? length : throw new InvalidDataException(damage);

    /// <summary>
    /// Decodes one frame (without its delimiter) into <paramref name="destination"/>, which must hold as many
    /// bytes as <paramref name="source"/>; false, saying why, for a damaged frame. Allocates nothing, so a
    /// receiver can drop damaged frames on a thread that must not allocate.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int length, [NotNullWhen(false)] out string? damage)
    {
        int read = 0;
        length = 0;
        while (read < source.Length)
        {
            byte code = source[read++];
            if (code == 0 || read + code - 1 > source.Length)
            {
                damage = code == 0 ? "COBS frame holds a zero byte" : "COBS frame ends inside a block";
                return false;
            }
            for (int i = 1; i < code; i++)
            {
                destination[length++] = source[read++];
            }
            if (code != 0xFF && read < source.Length)
            {
                destination[length++] = 0;
            }
        }
        damage = null;
        return true;
    }
}
