using Robotics.Protos.Log;

namespace Robotics.Controller.Loop;

/// <summary>One tick as telemetry sees it: a reader's private copy, filled by <see cref="TelemetryRing.TryRead"/>.</summary>
public sealed class TickSnapshot(int observations, int actions, int policyOutputs)
{
    public long TimestampNs { get; internal set; }
    public long Tick { get; internal set; }
    public ulong Episode { get; internal set; }
    public ulong EpisodeTick { get; internal set; }
    public ControlMode Mode { get; internal set; }
    public ActionSource Source { get; internal set; }
    public StepFlag Flags { get; internal set; }
    public FaultKind Fault { get; internal set; }
    public uint LatenessNs { get; internal set; }
    public uint WorkNs { get; internal set; }
    /// <summary>True when a policy ran this tick (its outputs below are meaningful).</summary>
    public bool PolicyRan { get; internal set; }
    public float[] Observation { get; } = new float[observations];
    public float[] Action { get; } = new float[actions];
    /// <summary>Gaussian: mean then log σ (2·actions); categorical: logits.</summary>
    public float[] PolicyOutputs { get; } = new float[policyOutputs];
}

/// <summary>What a telemetry reader found at the tick it asked for.</summary>
public enum RingRead
{
    Ok,
    /// <summary>The loop has not written that tick yet.</summary>
    NotYet,
    /// <summary>The tick was overwritten before the reader got to it: the reader is too slow and lost it.</summary>
    Overwritten,
}

/// <summary>
/// The loop's ticks for any number of telemetry readers: one writer (the loop), a fixed ring of slots, and a
/// version per slot (odd while being written, 2·tick + 2 once written) so readers copy without a lock and
/// detect a slot overwritten under them. The writer never waits for a reader; a reader that falls more
/// than the ring's length behind loses the oldest ticks and counts them. Memory is fixed whatever the readers do.
/// </summary>
public sealed class TelemetryRing
{
    private readonly long[] _versions;
    private readonly long[] _headers;
    private readonly float[] _values;
    private readonly int _observations;
    private readonly int _actions;
    private readonly int _policyOutputs;
    private readonly int _stride;
    private readonly long _mask;
    private long _published;

    // Header layout per slot: timestamp, tick, episode, episode tick, packed small fields, timings.
    private const int HeaderLongs = 6;

    public TelemetryRing(int capacity, int observations, int actions, int policyOutputs)
    {
        if (!int.IsPow2(capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity: must be a power of two");
        }
        _versions = new long[capacity];
        _headers = new long[capacity * HeaderLongs];
        _observations = observations;
        _actions = actions;
        _policyOutputs = policyOutputs;
        _stride = observations + actions + policyOutputs;
        _values = new float[capacity * _stride];
        _mask = capacity - 1;
    }

    public int Capacity => _versions.Length;

    /// <summary>Ticks written so far: the next tick's number.</summary>
    public long Published => Volatile.Read(ref _published);

    public TickSnapshot CreateSnapshot() => new(_observations, _actions, _policyOutputs);

    /// <summary>Writer (the loop): records tick number <see cref="Published"/>. No allocation, no waiting.</summary>
    public void Write(long timestampNs, ulong episode, ulong episodeTick, ControlMode mode, ActionSource source, StepFlag flags, FaultKind fault,
        uint latenessNs, uint workNs, ReadOnlySpan<float> observation, ReadOnlySpan<float> action, ReadOnlySpan<float> policyOutputs)
    {
        long tick = _published;
        int slot = (int)(tick & _mask);
        Volatile.Write(ref _versions[slot], 2 * tick + 1);
        Interlocked.MemoryBarrier();
        int h = slot * HeaderLongs;
        _headers[h] = timestampNs;
        _headers[h + 1] = tick;
        _headers[h + 2] = (long)episode;
        _headers[h + 3] = (long)episodeTick;
        _headers[h + 4] = (long)mode | (long)source << 8 | (long)fault << 16 | (policyOutputs.IsEmpty ? 0 : 1L << 24) | (long)(uint)flags << 32;
        _headers[h + 5] = latenessNs | (long)workNs << 32;
        var values = _values.AsSpan(slot * _stride, _stride);
        observation.CopyTo(values);
        action.CopyTo(values[_observations..]);
        policyOutputs.CopyTo(values[(_observations + _actions)..]);
        Volatile.Write(ref _versions[slot], 2 * tick + 2);
        Volatile.Write(ref _published, tick + 1);
    }

    /// <summary>Reader (any thread): copies tick <paramref name="tick"/> into <paramref name="into"/>.</summary>
    public RingRead TryRead(long tick, TickSnapshot into)
    {
        int slot = (int)(tick & _mask);
        long expected = 2 * tick + 2;
        long before = Volatile.Read(ref _versions[slot]);
        if (before < expected)
        {
            return before == expected - 1 || tick >= Published ? RingRead.NotYet : RingRead.Overwritten;
        }
        if (before > expected)
        {
            return RingRead.Overwritten;
        }
        int h = slot * HeaderLongs;
        into.TimestampNs = _headers[h];
        into.Tick = _headers[h + 1];
        into.Episode = (ulong)_headers[h + 2];
        into.EpisodeTick = (ulong)_headers[h + 3];
        long packed = _headers[h + 4];
        into.Mode = (ControlMode)(packed & 0xFF);
        into.Source = (ActionSource)((packed >> 8) & 0xFF);
        into.Fault = (FaultKind)((packed >> 16) & 0xFF);
        into.PolicyRan = ((packed >> 24) & 1) != 0;
        into.Flags = (StepFlag)(uint)(packed >> 32);
        long timings = _headers[h + 5];
        into.LatenessNs = (uint)timings;
        into.WorkNs = (uint)(timings >> 32);
        var values = _values.AsSpan(slot * _stride, _stride);
        values[.._observations].CopyTo(into.Observation);
        values.Slice(_observations, _actions).CopyTo(into.Action);
        values[(_observations + _actions)..].CopyTo(into.PolicyOutputs);
        // The copies above must complete before the version is read again.
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _versions[slot]) == expected ? RingRead.Ok : RingRead.Overwritten;
    }
}
