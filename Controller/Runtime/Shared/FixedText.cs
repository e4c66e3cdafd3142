using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Robotics.Controller.Shared;

/// <summary>
/// A short UTF-8 text stored inside a struct (up to <see cref="Capacity"/> bytes, longer texts cut at a character
/// boundary), so that records in shared memory can carry names, paths and messages without managed references.
/// Setting it allocates nothing; reading it back validates the bytes, since another process wrote them.
/// </summary>
public struct FixedText
{
    public const int Capacity = 1022;

    private ushort _length;
    private TextBytes _bytes;

    /// <summary>Stores <paramref name="text"/>, cut to what fits.</summary>
    public void Set(ReadOnlySpan<char> text)
    {
        Utf8.FromUtf16(text, _bytes, out _, out int written, replaceInvalidSequences: true, isFinalBlock: true);
        // The length after the bytes (a release write, also on arm64): a reader that sees the new length sees its bytes.
        Volatile.Write(ref _length, (ushort)written);
    }

    /// <summary>The text, or null when the bytes are not a valid text (a length past the end, invalid UTF-8).</summary>
    public readonly string? Read()
    {
        if (_length > Capacity)
        {
            return null;
        }
        ReadOnlySpan<byte> bytes = _bytes;
        bytes = bytes[.._length];
        return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    [InlineArray(Capacity)]
    private struct TextBytes
    {
        private byte _first;
    }
}
