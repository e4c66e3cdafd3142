using System.Runtime.CompilerServices;
using Robotics.Controller.Loop;
using Robotics.Controller.Shared;

namespace Robotics.Controller.Link;

/// <summary>
/// The loop process's events (<see cref="LoopEvent"/>: episodes, faults, help requests, override and recording
/// changes) for the gateway: a broadcast ring of fixed records in the loop's segment, written by the loop process's link
/// thread, read by the gateway at its own cursor. A gateway that falls a ring behind skips ahead and counts the loss.
/// </summary>
public sealed unsafe class EventRing
{
    private readonly RingSlots _slots;
    private readonly LinkEvent* _events;
    private readonly object _owner;
    private long _next;

    public EventRing(MemoryBlock block, int capacity)
    {
        _slots = new RingSlots(block, capacity);
        long records = RingSlots.BytesFor(capacity);
        _events = (LinkEvent*)block.Slice(records, (long)capacity * Unsafe.SizeOf<LinkEvent>()).Start;
        _owner = block.Owner;
        _next = _slots.Published;
    }

    public static long BytesFor(int capacity) => RingSlots.BytesFor(capacity) + MemoryBlock.AlignUp((long)capacity * Unsafe.SizeOf<LinkEvent>());

    public long Published => _slots.Published;

    /// <summary>Writer (the loop process's link thread): appends an event. Allocates nothing.</summary>
    public void Write(in LoopEvent e)
    {
        long sequence = _next;
        int slot = _slots.Begin(sequence);
        ref var record = ref _events[slot];
        record.TimestampNs = e.TimestampNs;
        record.Episode = e.Episode;
        record.Tick = e.Tick;
        record.Uncertainty = e.Uncertainty;
        record.ObservationZ = e.ObservationZ;
        record.Novelty = e.Novelty;
        record.HelpTriggers = e.HelpTriggers;
        record.Index = e.Index;
        record.Kind = (byte)e.Kind;
        record.Outcome = (byte)e.Outcome;
        record.Fault = (byte)e.Fault;
        record.Mode = (byte)e.Mode;
        record.Text.Set(e.Text);
        _slots.End(sequence, slot);
        _next = sequence + 1;
    }

    /// <summary>Reader: copies event <paramref name="sequence"/>.</summary>
    internal SlotRead TryCopy(long sequence, out LinkEvent e)
    {
        var found = _slots.Find(sequence, out int slot);
        e = found == SlotRead.Ok ? _events[slot] : default;
        if (found == SlotRead.Ok && !_slots.StillHolds(sequence, slot))
        {
            found = SlotRead.Overwritten;
        }
        GC.KeepAlive(_owner);
        return found;
    }

    /// <summary>A reader's place in the ring, from the next event written.</summary>
    public Cursor ReadFromNow() => new(this, Published);

    /// <summary>One reader's place and losses.</summary>
    public sealed class Cursor(EventRing ring, long start)
    {
        private long _next = start;

        /// <summary>Events lost because this reader fell a ring behind.</summary>
        public long Lost { get; private set; }

        /// <summary>The next event as the loop wrote it; false when there is none yet.</summary>
        public bool TryRead(out LoopEvent e)
        {
            while (true)
            {
                switch (ring.TryCopy(_next, out var record))
                {
                    case SlotRead.Ok:
                        _next++;
                        e = new LoopEvent((LoopEventKind)record.Kind, record.TimestampNs, record.Episode, record.Tick, (Protos.Log.EpisodeOutcome)record.Outcome,
                            (Safety.FaultKind)record.Fault, record.Index, record.Text.Read() ?? "", (ControlMode)record.Mode, record.Uncertainty, record.ObservationZ,
                            record.Novelty, record.HelpTriggers);
                        return true;
                    case SlotRead.NotYet:
                        e = default;
                        return false;
                    default:
                        long oldest = Math.Max(_next + 1, ring.Published - ring._slots.Capacity + 1);
                        Lost += oldest - _next;
                        _next = oldest;
                        break;
                }
            }
        }
    }
}
