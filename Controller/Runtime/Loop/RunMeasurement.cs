using Robotics.Protos;

namespace Robotics.Controller.Loop;

/// <summary>
/// What a run measures about itself besides the per-tick histograms: how long it ran, what the loop thread
/// allocated after its warm-up, and how many collections happened meanwhile. Read off the loop thread at its
/// start, at the warm-up tick and at its end; turned into the <see cref="LoopReport"/>.
/// </summary>
internal sealed class RunMeasurement(int warmupTicks)
{
    private long _startNs;
    private long _endNs;
    private long _allocatedBase;
    private long _allocatedEnd;
    private long _measuredTicks;
    private int _collectionsAtStart;
    private int _collectionsAtEnd;

    /// <summary>When the run started (monotonic ns), 0 before.</summary>
    public long StartedAtNs => Volatile.Read(ref _startNs);

    public void Begin()
    {
        Volatile.Write(ref _startNs, MonotonicClock.NowNs());
        _collectionsAtStart = GC.CollectionCount(0);
    }

    /// <summary>Before each tick: the warm-up tick starts the allocation count.</summary>
    public void BeforeTick(long tick)
    {
        if (tick == warmupTicks)
        {
            _allocatedBase = GC.GetAllocatedBytesForCurrentThread();
        }
    }

    public void End(long ticks)
    {
        _endNs = MonotonicClock.NowNs();
        _collectionsAtEnd = GC.CollectionCount(0);
        _allocatedEnd = GC.GetAllocatedBytesForCurrentThread();
        _measuredTicks = ticks - warmupTicks;
    }

    public LoopReport Report(LoopStatistics s, long watchdogTrips, long recorderDroppedSteps, IReadOnlyList<string> notes, int? pinnedCpu)
    {
        double seconds = (_endNs - _startNs) / 1e9;
        return new LoopReport(
            s.Ticks, seconds, seconds > 0 ? s.Ticks / seconds : 0, s.Episodes, s.Successes, s.Failures, s.Aborted,
            s.Overruns, s.SkippedSlots, s.Faults, watchdogTrips,
            s.Lateness.Summarize(), s.Read.Summarize(), s.Inference.Summarize(), s.Work.Summarize(),
            _measuredTicks > 0 ? (double)(_allocatedEnd - _allocatedBase) / _measuredTicks : double.NaN,
            recorderDroppedSteps, _collectionsAtEnd - _collectionsAtStart, notes, pinnedCpu);
    }
}
