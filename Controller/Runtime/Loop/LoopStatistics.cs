using Robotics.Controller.Timing;

namespace Robotics.Controller.Loop;

/// <summary>What the loop measures, written by the loop thread only and readable (approximately) at any time.</summary>
public sealed class LoopStatistics
{
    private long _ticks;
    private long _overruns;
    private long _skippedSlots;
    private long _successes;
    private long _failures;
    private long _aborted;
    private long _faults;

    /// <summary>How late each tick woke after its deadline.</summary>
    public LatencyHistogram Lateness { get; } = new();

    /// <summary>Time in the hardware read.</summary>
    public LatencyHistogram Read { get; } = new();

    /// <summary>Time in the policy, on ticks where it ran.</summary>
    public LatencyHistogram Inference { get; } = new();

    /// <summary>The tick's work: read, infer, arbitrate, safety, write and hand-off.</summary>
    public LatencyHistogram Work { get; } = new();

    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Ticks whose work ran past the next deadline.</summary>
    public long Overruns => Volatile.Read(ref _overruns);

    /// <summary>Deadlines passed over after overruns, so ticks never bunch up.</summary>
    public long SkippedSlots => Volatile.Read(ref _skippedSlots);

    public long Successes => Volatile.Read(ref _successes);

    public long Failures => Volatile.Read(ref _failures);

    public long Aborted => Volatile.Read(ref _aborted);

    public long Episodes => Successes + Failures + Aborted;

    public long Faults => Volatile.Read(ref _faults);

    internal void CountTick() => Volatile.Write(ref _ticks, _ticks + 1);

    internal void CountOverrun(long skipped)
    {
        Volatile.Write(ref _overruns, _overruns + 1);
        Volatile.Write(ref _skippedSlots, _skippedSlots + skipped);
    }

    internal void CountFault() => Volatile.Write(ref _faults, _faults + 1);

    internal void CountEpisode(Protos.Log.EpisodeOutcome outcome)
    {
        switch (outcome)
        {
            case Protos.Log.EpisodeOutcome.Success: Volatile.Write(ref _successes, _successes + 1); break;
            case Protos.Log.EpisodeOutcome.Failure: Volatile.Write(ref _failures, _failures + 1); break;
            default: Volatile.Write(ref _aborted, _aborted + 1); break;
        }
    }
}
