namespace Robotics.Controller.Shared;

/// <summary>What a reader found at the record it asked for.</summary>
internal enum SlotRead
{
    Ok,
    /// <summary>The writer has not written that record yet.</summary>
    NotYet,
    /// <summary>The record was overwritten before the reader got to it.</summary>
    Overwritten,
}

/// <summary>
/// The bookkeeping of a broadcast ring with one writer and any number of readers, each at its own place: a count of
/// records published (alone on its cache line) and one version per slot, odd while the slot is written and
/// 2·sequence + 2 once written. Readers copy a slot without a lock and check its version before and after. The
/// writer counts its records itself and never reads anything a reader writes, so no reader (in another process,
/// writing where it should not) can change what the writer does. Lives in a <see cref="MemoryBlock"/>.
/// </summary>
internal readonly unsafe struct RingSlots
{
    private readonly long* _published;
    private readonly long* _versions;
    private readonly long _mask;

    public RingSlots(MemoryBlock block, int capacity)
    {
        if (!int.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "ring capacity: must be a power of two");
        }
        if (block.Length < BytesFor(capacity))
        {
            throw new ArgumentException($"ring: {capacity} slots need {BytesFor(capacity)} bytes of bookkeeping, the block has {block.Length}", nameof(block));
        }
        _published = (long*)block.Start;
        _versions = (long*)(block.Start + MemoryBlock.Alignment);
        _mask = capacity - 1;
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Bytes the count and the versions take (the records go elsewhere).</summary>
    public static long BytesFor(int capacity) => MemoryBlock.AlignUp(MemoryBlock.Alignment + 8L * capacity);

    /// <summary>Records written so far, as published for readers.</summary>
    public long Published => Volatile.Read(ref *_published);

    /// <summary>Writer: marks record <paramref name="sequence"/>'s slot as being written; returns the slot.</summary>
    public int Begin(long sequence)
    {
        int slot = (int)(sequence & _mask);
        Volatile.Write(ref _versions[slot], 2 * sequence + 1);
        // A full fence: the stores that follow must not become visible before the odd version does.
        Interlocked.MemoryBarrier();
        return slot;
    }

    /// <summary>Writer: record <paramref name="sequence"/> is complete.</summary>
    public void End(long sequence, int slot)
    {
        Volatile.Write(ref _versions[slot], 2 * sequence + 2);
        Volatile.Write(ref *_published, sequence + 1);
    }

    /// <summary>Reader: whether record <paramref name="sequence"/> is there to copy, and its slot.</summary>
    public SlotRead Find(long sequence, out int slot)
    {
        slot = (int)(sequence & _mask);
        long version = Volatile.Read(ref _versions[slot]);
        long expected = 2 * sequence + 2;
        // A slot's version only grows: an older one means the record is not written yet, a newer one that it was overwritten.
        return version == expected ? SlotRead.Ok : version > expected ? SlotRead.Overwritten : SlotRead.NotYet;
    }

    /// <summary>Reader, after copying: whether the record stayed whole while it was copied.</summary>
    public bool StillHolds(long sequence, int slot)
    {
        // The copies before this must complete before the version is read again.
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _versions[slot]) == 2 * sequence + 2;
    }
}
