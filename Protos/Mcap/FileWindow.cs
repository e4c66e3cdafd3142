namespace Robotics.Protos.Mcap;

/// <summary>
/// Random access to a file through one buffered window, for a scan that moves forward byte by byte but
/// sometimes looks a record ahead: most reads are served from memory, and a file of any size needs only the
/// window (plus the largest record looked at).
/// </summary>
internal sealed class FileWindow(Stream stream)
{
    private const int WindowBytes = 1 << 20;

    private readonly byte[] _window = new byte[WindowBytes];
    private long _windowStart;
    private int _windowLength;

    public long Length { get; } = stream.Length;

    public byte this[long offset] => Get(offset, 1)[0];

    /// <summary><paramref name="count"/> bytes at <paramref name="offset"/>, which must lie inside the file.</summary>
    public ReadOnlySpan<byte> Get(long offset, int count)
    {
        if (offset >= _windowStart && offset + count <= _windowStart + _windowLength)
        {
            return _window.AsSpan((int)(offset - _windowStart), count);
        }
        if (count > WindowBytes)
        {
            var large = new byte[count];
            ReadAt(offset, large);
            return large;
        }
        _windowStart = offset;
        _windowLength = (int)Math.Min(WindowBytes, Length - offset);
        ReadAt(offset, _window.AsSpan(0, _windowLength));
        return _window.AsSpan(0, count);
    }

    private void ReadAt(long offset, Span<byte> destination)
    {
        stream.Position = offset;
        stream.ReadExactly(destination);
    }
}
