using Robotics.Protos.Concurrency;

namespace Robotics.Controller.Loop;

/// <summary>
/// A bounded single-producer, single-consumer queue of structs: the producer (the loop) never waits and never
/// allocates; when the queue is full the item is dropped and counted. The consumer polls.
/// </summary>
public sealed class SpscRing<T> where T : struct
{
    private readonly T[] _items;
    private readonly long _mask;
    private PaddedCounter _written;
    private PaddedCounter _read;
    private long _dropped;

    public SpscRing(int capacity)
    {
        if (!int.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity: must be a power of two");
        }
        _items = new T[capacity];
        _mask = capacity - 1;
    }

    /// <summary>Items refused because the queue was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Producer: enqueues, or drops and counts when full.</summary>
    public bool TryWrite(in T item)
    {
        long written = _written.Value;
        if (written - Volatile.Read(ref _read.Value) >= _items.Length)
        {
            Volatile.Write(ref _dropped, _dropped + 1);
            return false;
        }
        _items[written & _mask] = item;
        Volatile.Write(ref _written.Value, written + 1);
        return true;
    }

    /// <summary>Consumer: dequeues the oldest item, if any.</summary>
    public bool TryRead(out T item)
    {
        long read = _read.Value;
        if (read == Volatile.Read(ref _written.Value))
        {
            item = default;
            return false;
        }
        item = _items[read & _mask];
        Volatile.Write(ref _read.Value, read + 1);
        return true;
    }
}
