using System.Diagnostics.CodeAnalysis;
using Robotics.Protos.Concurrency;

namespace Robotics.Controller.Ticks;

/// <summary>What a reader found at the record it asked for.</summary>
internal enum TickRead
{
    Ok,
    /// <summary>The loop has not written that record yet.</summary>
    NotYet,
    /// <summary>The record was overwritten before the reader got to it.</summary>
    Overwritten,
}

/// <summary>
/// Every tick of the loop, written once, for every reader: the recorder and each telemetry subscriber read it
/// at their own <see cref="TickCursor"/> and count their own losses. One writer (the loop) fills a fixed ring of
/// slots in one <see cref="TickLayout"/>; each slot has a version (odd while it is written, 2·sequence + 2 once
/// written), so readers copy without a lock and detect a slot overwritten under them. The writer never waits for
/// a reader: one that falls more than the ring behind loses the oldest records. Memory is fixed whatever readers do,
/// and the slots hold no managed references, so the ring can move into memory shared with another process.
/// </summary>
public sealed class TickRing
{
    private readonly long[] _versions;
    private readonly TickHeader[] _headers;
    private readonly float[] _values;
    private readonly long _mask;
    private PaddedCounter _published;
    private TickCursor? _gate;

    public TickRing(int capacity, TickLayout layout)
    {
        if (!int.IsPow2(capacity) || capacity < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "tick ring capacity: must be a power of two of at least 64");
        }
        if (layout.Observations < 0 || layout.Actions < 1 || layout.HeadOutputs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "tick layout: needs at least one action and no negative sizes");
        }
        Layout = layout;
        _versions = new long[capacity];
        _headers = new TickHeader[capacity];
        _values = new float[(long)capacity * layout.Stride];
        _mask = capacity - 1;
    }

    public TickLayout Layout { get; }

    public int Capacity => _versions.Length;

    /// <summary>Records written so far: the next record's sequence number.</summary>
    public long Published => Volatile.Read(ref _published.Value);

    /// <summary>
    /// The reader an unpaced loop waits for instead of overwriting what it has not read (a simulation's recorder:
    /// with no deadline to keep, losing steps would buy nothing). Null: the writer never waits, as on a robot.
    /// </summary>
    public TickCursor? Gate
    {
        get => Volatile.Read(ref _gate);
        set => Volatile.Write(ref _gate, value);
    }

    /// <summary>The gate reader stops gating (it stopped reading, or failed); a no-op if another reader is the gate.</summary>
    public void ReleaseGate(TickCursor reader) => Interlocked.CompareExchange(ref _gate, null, reader);

    /// <summary>Writer: whether the next record would overwrite one the <see cref="Gate"/> reader has not read.</summary>
    public bool GateIsFull => Gate is { } gate && _published.Value - gate.Next >= Capacity;

    /// <summary>Writer (the loop alone): appends a step. No allocation, no lock, no waiting.</summary>
    /// <param name="headOutputs">The policy head's outputs; empty when no policy ran (readers then ignore that part).</param>
    public void Write(in TickHeader header, ReadOnlySpan<float> observation, ReadOnlySpan<float> action, ReadOnlySpan<float> headOutputs)
    {
        var layout = Layout;
        if (observation.Length != layout.Observations || action.Length != layout.Actions || headOutputs.Length > layout.HeadOutputs)
        {
            ThrowShape(observation.Length, action.Length, headOutputs.Length);
        }
        long sequence = BeginSlot(header, out int slot);
        var values = _values.AsSpan(slot * layout.Stride, layout.Stride);
        observation.CopyTo(values);
        action.CopyTo(values[layout.Observations..]);
        headOutputs.CopyTo(values[(layout.Observations + layout.Actions)..]);
        EndSlot(sequence, slot);
    }

    /// <summary>Writer: appends an episode start or end, a header alone (the slot's vectors keep old values; readers ignore them).</summary>
    public void WriteEpisodeRecord(in TickHeader header)
    {
        long sequence = BeginSlot(header, out int slot);
        EndSlot(sequence, slot);
    }

    private long BeginSlot(in TickHeader header, out int slot)
    {
        long sequence = _published.Value;
        slot = (int)(sequence & _mask);
        Volatile.Write(ref _versions[slot], 2 * sequence + 1);
        // A full fence: the stores that follow must not become visible before the odd version does.
        Interlocked.MemoryBarrier();
        _headers[slot] = header;
        return sequence;
    }

    private void EndSlot(long sequence, int slot)
    {
        Volatile.Write(ref _versions[slot], 2 * sequence + 2);
        Volatile.Write(ref _published.Value, sequence + 1);
    }

    /// <summary>Reader: copies record <paramref name="sequence"/> (header, then the floats of its layout).</summary>
    internal TickRead TryCopy(long sequence, out TickHeader header, Span<float> values)
    {
        int slot = (int)(sequence & _mask);
        long expected = 2 * sequence + 2;
        long before = Volatile.Read(ref _versions[slot]);
        if (before != expected)
        {
            // A slot's version only grows: an older one means the record is not written yet, a newer one that it was overwritten.
            header = default;
            return before > expected ? TickRead.Overwritten : TickRead.NotYet;
        }
        header = _headers[slot];
        _values.AsSpan(slot * Layout.Stride, Layout.Stride).CopyTo(values);
        // The copies above must complete before the version is read again.
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _versions[slot]) == expected ? TickRead.Ok : TickRead.Overwritten;
    }

    [DoesNotReturn]
    private void ThrowShape(int observations, int actions, int headOutputs) =>
        throw new ArgumentException($"tick: got {observations} observations, {actions} actions, {headOutputs} head outputs; the ring holds {Layout.Observations}, {Layout.Actions}, at most {Layout.HeadOutputs}");
}
