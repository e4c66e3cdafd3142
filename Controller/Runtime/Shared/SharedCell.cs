using System.Runtime.CompilerServices;

namespace Robotics.Controller.Shared;

/// <summary>Sizes of <see cref="SharedCell{T}"/>s.</summary>
public static class SharedCell
{
    /// <summary>Bytes a cell of a <typeparamref name="T"/> header and <paramref name="width"/> floats takes.</summary>
    public static long BytesFor<T>(int width) where T : unmanaged => ValuesOffset<T>() + 4L * width;

    // The header starts after the sequence, 8-aligned; the floats after the header.
    internal static int ValuesOffset<T>() where T : unmanaged => 8 + ((Unsafe.SizeOf<T>() + 7) & ~7);
}

/// <summary>
/// The newest value of a small header struct and a vector of floats, handed from one writer to readers without a lock:
/// a sequence lock (Linux's seqlock, Documentation/locking/seqlock.rst) laid out in a <see cref="MemoryBlock"/>, so
/// writer and reader may be different processes. Unlike the in-process cells, the reader assumes nothing about the
/// writer: it gives up after a few torn reads (a writer stuck mid-write, or writing garbage, cannot make it spin) and
/// whatever it copies is only bytes, for the caller to validate.
/// </summary>
public sealed unsafe class SharedCell<T> where T : unmanaged
{
    private const int ReadAttempts = 4;
    private const int HeaderOffset = 8;

    private readonly long* _sequence;
    private readonly T* _header;
    private readonly float* _values;
    private readonly object _owner;

    public SharedCell(MemoryBlock block, int width)
    {
        if (block.Length < SharedCell.BytesFor<T>(width))
        {
            throw new ArgumentException($"shared cell: {width} values need {SharedCell.BytesFor<T>(width)} bytes, the block has {block.Length}", nameof(block));
        }
        Width = width;
        _owner = block.Owner;
        _sequence = (long*)block.Start;
        _header = (T*)(block.Start + HeaderOffset);
        _values = (float*)(block.Start + SharedCell.ValuesOffset<T>());
    }

    public int Width { get; }

    /// <summary>Writer (one thread of one process): publishes a header and its values.</summary>
    public void Publish(in T header, ReadOnlySpan<float> values)
    {
        long sequence = Volatile.Read(ref *_sequence);
        Volatile.Write(ref *_sequence, sequence | 1);
        // A full fence: the stores that follow must not become visible before the odd sequence does.
        Interlocked.MemoryBarrier();
        *_header = header;
        values.CopyTo(new Span<float>(_values, Width));
        Volatile.Write(ref *_sequence, (sequence | 1) + 1);
    }

    /// <summary>Reader: a consistent copy, or false after a few torn reads (nothing is copied then that should be used).</summary>
    public bool TryRead(out T header, Span<float> values)
    {
        for (int attempt = 0; attempt < ReadAttempts; attempt++)
        {
            long before = Volatile.Read(ref *_sequence);
            if ((before & 1) != 0)
            {
                continue;
            }
            header = *_header;
            new ReadOnlySpan<float>(_values, Width).CopyTo(values);
            // A full fence: the copies above must not be reordered after the second read of the sequence.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref *_sequence) == before)
            {
                GC.KeepAlive(_owner);
                return true;
            }
        }
        header = default;
        return false;
    }
}
