namespace Robotics.Hardware.Devices;

/// <summary>
/// The newest sample of a vector of floats, handed from one writer thread to readers without a lock: a
/// sequence lock (Linux's seqlock, Documentation/locking/seqlock.rst). The writer makes the sequence odd,
/// writes, makes it even; a reader copies and retries if the sequence was odd or moved. Neither side waits
/// on the other or allocates; a reader that keeps losing the race (after four tries) reports no sample.
/// </summary>
public sealed class LatestSample(int width)
{
    private const int ReadAttempts = 4;
    private readonly float[] _values = new float[width];
    private long _timestamp = long.MinValue;
    private long _tag;
    private int _sequence;

    public int Width => _values.Length;

    /// <summary>Writer (one thread only): publishes a sample taken at <paramref name="timestampNs"/>, with a tag (a sequence number, say).</summary>
    public void Publish(ReadOnlySpan<float> values, long timestampNs, long tag = 0)
    {
        Interlocked.Increment(ref _sequence);
        values.CopyTo(_values);
        _timestamp = timestampNs;
        _tag = tag;
        Interlocked.Increment(ref _sequence);
    }

    /// <summary>Reader: copies the newest sample; its timestamp, or <see cref="long.MinValue"/> when none could be read.</summary>
    public long TryRead(Span<float> destination) => TryRead(destination, out _);

    /// <summary>Reader: copies the newest sample and its tag; its timestamp, or <see cref="long.MinValue"/> when none could be read.</summary>
    public long TryRead(Span<float> destination, out long tag)
    {
        tag = 0;
        for (int attempt = 0; attempt < ReadAttempts; attempt++)
        {
            int before = Volatile.Read(ref _sequence);
            if ((before & 1) != 0)
            {
                continue;
            }
            _values.CopyTo(destination);
            long timestamp = _timestamp;
            tag = _tag;
            // A full fence: the copies above must not be reordered after the second read of the sequence.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _sequence) == before)
            {
                return timestamp;
            }
        }
        return long.MinValue;
    }
}
