namespace Robotics.Controller.Loop;

/// <summary>
/// The newest value of a small unmanaged struct, published by one writer (the loop) and copied by any reader
/// without a lock: a sequence lock, as <see cref="Hardware.Devices.LatestSample"/> is for float vectors. The
/// writer never waits; a reader retries while the writer is mid-write.
/// </summary>
public sealed class SnapshotCell<T> where T : unmanaged
{
    private T _value;
    private int _sequence;

    /// <summary>Writer (one thread only).</summary>
    public void Publish(in T value)
    {
        Interlocked.Increment(ref _sequence);
        _value = value;
        Interlocked.Increment(ref _sequence);
    }

    /// <summary>Reader (any thread): a consistent copy. Spins only while a write is under way (a few nanoseconds).</summary>
    public T Read()
    {
        var wait = default(SpinWait);
        while (true)
        {
            int before = Volatile.Read(ref _sequence);
            if ((before & 1) == 0)
            {
                var copy = _value;
                // A full fence: the copy above must not be reordered after the second read of the sequence.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _sequence) == before)
                {
                    return copy;
                }
            }
            wait.SpinOnce();
        }
    }
}
