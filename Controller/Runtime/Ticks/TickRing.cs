using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Robotics.Controller.Shared;

namespace Robotics.Controller.Ticks;

/// <summary>
/// Every tick of the loop, written once, for every reader: the recorder and each telemetry subscriber read it
/// at their own <see cref="TickCursor"/> and count their own losses. One writer (the loop) fills a fixed ring of
/// slots in one <see cref="TickLayout"/>; each slot has a version (odd while it is written, 2·sequence + 2 once
/// written), so readers copy without a lock and detect a slot overwritten under them. The writer never waits for
/// a reader: one that falls more than the ring behind loses the oldest records. Memory is fixed whatever readers do,
/// and the slots hold no managed references: the ring lives in a <see cref="MemoryBlock"/>, of this process alone or
/// shared with the gateway process, which reads it there (<see cref="Attach"/>).
/// </summary>
public sealed unsafe class TickRing
{
    private readonly RingSlots _slots;
    private readonly TickHeader* _headers;
    private readonly float* _values;
    private readonly object _owner;
    // The writer's own count: it never reads the published count back, which another process can see (and, mapped
    // wrongly, write).
    private long _next;
    private TickCursor? _gate;

    /// <summary>A ring in memory of this process alone.</summary>
    public TickRing(int capacity, TickLayout layout) : this(MemoryBlock.Pinned(BytesFor(capacity, layout)), capacity, layout)
    {
    }

    /// <summary>A ring laid out in <paramref name="block"/> (at least <see cref="BytesFor"/> bytes, zeroed), for its writer.</summary>
    public TickRing(MemoryBlock block, int capacity, TickLayout layout)
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
        _slots = new RingSlots(block, capacity);
        long headers = RingSlots.BytesFor(capacity);
        long values = headers + MemoryBlock.AlignUp((long)capacity * Unsafe.SizeOf<TickHeader>());
        _headers = (TickHeader*)block.Slice(headers, values - headers).Start;
        _values = (float*)block.Slice(values, 4L * capacity * layout.Stride).Start;
        _owner = block.Owner;
        _next = _slots.Published;
    }

    /// <summary>A reader's view of a ring another process writes into <paramref name="block"/>.</summary>
    public static TickRing Attach(MemoryBlock block, int capacity, TickLayout layout) => new(block, capacity, layout);

    /// <summary>Bytes a ring of <paramref name="capacity"/> records of <paramref name="layout"/> takes.</summary>
    public static long BytesFor(int capacity, TickLayout layout) =>
        RingSlots.BytesFor(capacity) + MemoryBlock.AlignUp((long)capacity * Unsafe.SizeOf<TickHeader>()) + MemoryBlock.AlignUp(4L * capacity * layout.Stride);

    public TickLayout Layout { get; }

    public int Capacity => _slots.Capacity;

    /// <summary>Records written so far: the next record's sequence number.</summary>
    public long Published => _slots.Published;

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
    public bool GateIsFull => Gate is { } gate && _next - gate.Next >= Capacity;

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
        var values = new Span<float>(_values + (long)slot * layout.Stride, layout.Stride);
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
        long sequence = _next;
        slot = _slots.Begin(sequence);
        _headers[slot] = header;
        return sequence;
    }

    private void EndSlot(long sequence, int slot)
    {
        _slots.End(sequence, slot);
        _next = sequence + 1;
    }

    /// <summary>Reader: copies record <paramref name="sequence"/> (header, then the floats of its layout).</summary>
    internal SlotRead TryCopy(long sequence, out TickHeader header, Span<float> values)
    {
        var found = _slots.Find(sequence, out int slot);
        if (found != SlotRead.Ok)
        {
            header = default;
            return found;
        }
        header = _headers[slot];
        new ReadOnlySpan<float>(_values + (long)slot * Layout.Stride, Layout.Stride).CopyTo(values);
        bool whole = _slots.StillHolds(sequence, slot);
        GC.KeepAlive(_owner);
        return whole ? SlotRead.Ok : SlotRead.Overwritten;
    }

    [DoesNotReturn]
    private void ThrowShape(int observations, int actions, int headOutputs) =>
        throw new ArgumentException($"tick: got {observations} observations, {actions} actions, {headOutputs} head outputs; the ring holds {Layout.Observations}, {Layout.Actions}, at most {Layout.HeadOutputs}");
}
