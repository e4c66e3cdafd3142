using Robotics.Controller.Shared;

namespace Robotics.Controller.Ticks;

/// <summary>
/// One reader's place in a <see cref="TickRing"/>, with its own copy of the record it read last and its own loss
/// count: the cursor is the reader's bounded, drop-oldest queue. A reader that falls more than the ring behind
/// finds its next records overwritten, skips to the oldest still held (with a margin, since the writer goes on
/// writing while it catches up) and counts what it skipped. Reading allocates nothing.
/// </summary>
public sealed class TickCursor
{
    private readonly TickRing _ring;
    private readonly float[] _values;
    private long _next;
    private long _lost;
    private TickHeader _header;

    /// <param name="start">The first record to read: usually <see cref="TickRing.Published"/> (from now on) or 0 (from the start).</param>
    public TickCursor(TickRing ring, long start)
    {
        _ring = ring;
        _values = new float[ring.Layout.Stride];
        _next = start;
    }

    public TickLayout Layout => _ring.Layout;

    /// <summary>The next record to read.</summary>
    public long Next => Volatile.Read(ref _next);

    /// <summary>Records this reader lost because it read too slowly.</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>The record read last.</summary>
    public ref readonly TickHeader Header => ref _header;

    public ReadOnlySpan<float> Observation => _values.AsSpan(0, Layout.Observations);

    /// <summary>The action sent.</summary>
    public ReadOnlySpan<float> Action => _values.AsSpan(Layout.Observations, Layout.Actions);

    /// <summary>The policy head's outputs, meaningful when <see cref="TickHeader.Head"/> names one.</summary>
    public ReadOnlySpan<float> HeadOutputs => _values.AsSpan(Layout.Observations + Layout.Actions, Layout.HeadOutputs);

    /// <summary>Reads the next record into <see cref="Header"/> and the spans; false when the loop has not written it yet.</summary>
    public bool TryRead()
    {
        while (true)
        {
            switch (_ring.TryCopy(_next, out _header, _values))
            {
                case SlotRead.Ok:
                    Volatile.Write(ref _next, _next + 1);
                    return true;
                case SlotRead.NotYet:
                    return false;
                default:
                    long oldest = Math.Max(_next + 1, _ring.Published - _ring.Capacity + _ring.Capacity / 8);
                    Volatile.Write(ref _lost, _lost + (oldest - _next));
                    Volatile.Write(ref _next, oldest);
                    break;
            }
        }
    }
}
