namespace Robotics.Tests.Support;

/// <summary>
/// A file stream whose writes can be held (a stalled SD card) or made to fail (a full or vanished disk), so
/// tests can drive the recorder's writer thread into the states a real device causes.
/// </summary>
public sealed class GatedStream(string path) : Stream
{
    private readonly FileStream _file = new(path, FileMode.CreateNew, FileAccess.Write);
    private readonly ManualResetEventSlim _open = new(initialState: true);
    private int _waiting;

    /// <summary>Writes start failing with an IOException once this many bytes have been written.</summary>
    public long FailAfterBytes { get; set; } = long.MaxValue;

    /// <summary>Holds every write until <see cref="Open"/>.</summary>
    public void Hold() => _open.Reset();

    /// <summary>A writer is stuck in a held write (or flush) now.</summary>
    public bool WriterHeld => Volatile.Read(ref _waiting) > 0;

    public void Open() => _open.Set();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        WaitUntilOpen();
        if (_file.Length + buffer.Length > FailAfterBytes)
        {
            throw new IOException("No space left on device");
        }
        _file.Write(buffer);
    }

    public override void Flush()
    {
        WaitUntilOpen();
        _file.Flush();
    }

    private void WaitUntilOpen()
    {
        Interlocked.Increment(ref _waiting);
        _open.Wait();
        Interlocked.Decrement(ref _waiting);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _file.Length;
    public override long Position { get => _file.Position; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _open.Set();
            _file.Dispose();
            _open.Dispose();
        }
        base.Dispose(disposing);
    }
}
