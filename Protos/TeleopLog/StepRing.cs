using System.Diagnostics.CodeAnalysis;
using Robotics.Protos.Concurrency;
using Robotics.Protos.Log;

namespace Robotics.Protos.TeleopLog;

/// <summary>What a ring entry holds.</summary>
internal enum RingEntryKind : byte
{
    Step,
    EpisodeStart,
    EpisodeEnd,
}

/// <summary>One slot of the ring; the step's float vectors live in the ring's value array.</summary>
internal struct RingEntry
{
    public RingEntryKind Kind;
    public ActionSource Source;
    public StepFlag Flags;
    public EpisodeOutcome Outcome;
    public ulong EpisodeId;
    public ulong Tick;
    public long TimestampNs;
    public ulong DroppedInEpisode;
    public uint LatenessNs;
    public uint InferenceNs;
    public uint WorkNs;
    public int ObservationCount;
    public int ActionCount;
    public int MeanCount;
    public int LogStdCount;
    public int LogitsCount;
    /// <summary>The <see cref="EpisodeInfo"/> of a start, the reason text of an end.</summary>
    public object? Payload;
}

/// <summary>
/// A single-producer, single-consumer ring of preallocated entries, so the control loop hands a tick to the
/// recorder with a copy and two volatile accesses: no allocation, no lock, no system call. The producer never
/// waits; when the ring is full the entry is refused and the caller counts the drop.
/// </summary>
/// <remarks>
/// The last <c>reservedForEvents</c> slots are kept for episode start and end records, so a burst that fills
/// the ring with steps still leaves room to mark where episodes begin and end.
/// </remarks>
internal sealed class StepRing
{
    private readonly RingEntry[] _entries;
    private readonly float[] _values;
    private readonly int _stride;
    private readonly long _mask;
    private readonly long _stepLimit;
    private PaddedCounter _published;
    private PaddedCounter _consumed;

    /// <param name="capacity">Number of entries; a power of two.</param>
    /// <param name="stride">Floats reserved per entry for its vectors.</param>
    /// <param name="reservedForEvents">Entries only episode start/end records may use.</param>
    public StepRing(int capacity, int stride, int reservedForEvents)
    {
        if (capacity < 2 * reservedForEvents || !int.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"capacity: must be a power of two of at least {2 * reservedForEvents}");
        }
        _entries = new RingEntry[capacity];
        _values = new float[(long)capacity * stride];
        _stride = stride;
        _mask = capacity - 1;
        _stepLimit = capacity - reservedForEvents;
    }

    public int Capacity => _entries.Length;

    /// <summary>Producer: whether <see cref="TryWriteStep"/> would find a slot now.</summary>
    public bool HasRoomForStep => _published.Value - Volatile.Read(ref _consumed.Value) < _stepLimit;

    /// <summary>Producer: copies a step into the next slot; false when the ring is full.</summary>
    public bool TryWriteStep(in StepRecord step)
    {
        long sequence = _published.Value;
        if (sequence - Volatile.Read(ref _consumed.Value) >= _stepLimit)
        {
            return false;
        }
        int total = step.Observation.Length + step.Action.Length + step.PolicyMean.Length + step.PolicyLogStd.Length + step.PolicyLogits.Length;
        if (total > _stride)
        {
            ThrowTooLarge(total, _stride);
        }
        ref var entry = ref _entries[sequence & _mask];
        entry.Kind = RingEntryKind.Step;
        entry.TimestampNs = step.TimestampNs;
        entry.EpisodeId = step.EpisodeId;
        entry.Tick = step.Tick;
        entry.Source = step.Source;
        entry.Flags = step.Flags;
        entry.LatenessNs = step.LatenessNs;
        entry.InferenceNs = step.InferenceNs;
        entry.WorkNs = step.WorkNs;
        entry.ObservationCount = step.Observation.Length;
        entry.ActionCount = step.Action.Length;
        entry.MeanCount = step.PolicyMean.Length;
        entry.LogStdCount = step.PolicyLogStd.Length;
        entry.LogitsCount = step.PolicyLogits.Length;
        entry.Payload = null;

        var values = _values.AsSpan((int)((sequence & _mask) * _stride), _stride);
        step.Observation.CopyTo(values);
        values = values[step.Observation.Length..];
        step.Action.CopyTo(values);
        values = values[step.Action.Length..];
        step.PolicyMean.CopyTo(values);
        values = values[step.PolicyMean.Length..];
        step.PolicyLogStd.CopyTo(values);
        values = values[step.PolicyLogStd.Length..];
        step.PolicyLogits.CopyTo(values);

        // Publishing after the copy: the consumer's volatile read of the sequence orders it after the data.
        Volatile.Write(ref _published.Value, sequence + 1);
        return true;
    }

    /// <summary>Producer: records an episode start or end; false only when even the reserved slots are full.</summary>
    public bool TryWriteEvent(RingEntryKind kind, ulong episodeId, long timestampNs, object? payload, EpisodeOutcome outcome, ulong droppedInEpisode)
    {
        long sequence = _published.Value;
        if (sequence - Volatile.Read(ref _consumed.Value) >= _entries.Length)
        {
            return false;
        }
        ref var entry = ref _entries[sequence & _mask];
        entry = default;
        entry.Kind = kind;
        entry.EpisodeId = episodeId;
        entry.TimestampNs = timestampNs;
        entry.Payload = payload;
        entry.Outcome = outcome;
        entry.DroppedInEpisode = droppedInEpisode;
        Volatile.Write(ref _published.Value, sequence + 1);
        return true;
    }

    /// <summary>Consumer: sequence one past the last entry the producer has published.</summary>
    public long Published => Volatile.Read(ref _published.Value);

    /// <summary>Consumer: the next entry to read.</summary>
    public long Consumed => _consumed.Value;

    /// <summary>Consumer: the entry at <paramref name="sequence"/>, valid until released.</summary>
    public ref readonly RingEntry EntryAt(long sequence) => ref _entries[sequence & _mask];

    /// <summary>Consumer: the vectors of the step at <paramref name="sequence"/>, back to back.</summary>
    public ReadOnlySpan<float> ValuesAt(long sequence) => _values.AsSpan((int)((sequence & _mask) * _stride), _stride);

    /// <summary>Consumer: hands every entry before <paramref name="sequence"/> back to the producer.</summary>
    public void ReleaseUpTo(long sequence)
    {
        for (long s = _consumed.Value; s < sequence; s++)
        {
            _entries[s & _mask].Payload = null;
        }
        Volatile.Write(ref _consumed.Value, sequence);
    }

    [DoesNotReturn]
    private static void ThrowTooLarge(int total, int stride) =>
        throw new ArgumentException($"the step's vectors hold {total} floats but the recorder was sized for {stride}");
}
