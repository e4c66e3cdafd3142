using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Robotics.Controller.Shared;

/// <summary>
/// A run of bytes at a fixed address that something keeps alive: a pinned array (memory of this process alone) or a
/// mapped file (memory shared with another process). The rings and cells the loop publishes through are laid out
/// in one, so that the same code serves a loop with no other process and one with a gateway attached.
/// </summary>
public readonly unsafe struct MemoryBlock
{
    // Offsets inside a block are rounded up to this: a cache line (64 bytes on x86-64 and the Cortex-A cores), so that
    // the writer of one part and the reader of the next never share a line.
    public const int Alignment = 64;

    private MemoryBlock(byte* start, long length, object owner)
    {
        Start = start;
        Length = length;
        Owner = owner;
    }

    public byte* Start { get; }

    public long Length { get; }

    /// <summary>The bytes (for a block under 2 GiB).</summary>
    public Span<byte> Bytes => new(Start, checked((int)Length));

    /// <summary>What keeps the memory alive (the pinned array, the mapping); hold it as long as the pointer is used.</summary>
    public object Owner { get; }

    /// <summary>Zeroed memory of this process, on the pinned object heap: it never moves, and the GC frees it when nothing holds it.</summary>
    public static MemoryBlock Pinned(long length)
    {
        // Room to align the start: the pinned heap promises 8-byte alignment, the parts want a cache line.
        var array = GC.AllocateArray<byte>(checked((int)length + Alignment), pinned: true);
        byte* raw = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        byte* aligned = (byte*)AlignUp((long)raw);
        return new MemoryBlock(aligned, length, array);
    }

    /// <summary>Memory kept alive by <paramref name="owner"/> (a mapping that outlives every user of the pointer).</summary>
    public static MemoryBlock At(byte* start, long length, object owner) => new(start, length, owner);

    /// <summary>Part of the block; throws if it does not fit.</summary>
    public MemoryBlock Slice(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"memory block: [{offset}, {offset + length}) is outside its {Length} bytes");
        }
        return new MemoryBlock(Start + offset, length, Owner);
    }

    public static long AlignUp(long value) => (value + Alignment - 1) & ~(long)(Alignment - 1);
}
