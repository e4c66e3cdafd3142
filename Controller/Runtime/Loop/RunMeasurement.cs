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
    private long _allocated;
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
            // One young-generation collection, once, so that no collection during the run can count its allocation
            // context's unused end as allocated (ThreadAllocations says more). It is the measurement's, not the
            // run's: the collections reported leave it out.
            int collections = GC.CollectionCount(0);
            _allocatedBase = ThreadAllocations.StartWindow();
            _collectionsAtStart += GC.CollectionCount(0) - collections;
        }
    }

    public void End(long ticks)
    {
        _endNs = MonotonicClock.NowNs();
        _collectionsAtEnd = GC.CollectionCount(0);
        _allocated = ThreadAllocations.Since(_allocatedBase);
        _measuredTicks = ticks - warmupTicks;
    }

    public LoopReport Report(LoopStatistics s, long watchdogTrips, long recorderDroppedSteps, IReadOnlyList<string> notes, int? pinnedCpu)
    {
        double seconds = (_endNs - _startNs) / 1e9;
        return new LoopReport(
            s.Ticks, seconds, seconds > 0 ? s.Ticks / seconds : 0, s.Episodes, s.Successes, s.Failures, s.Aborted,
            s.Overruns, s.SkippedSlots, s.Faults, watchdogTrips,
            s.Lateness.Summarize(), s.Read.Summarize(), s.Inference.Summarize(), s.Work.Summarize(),
            _measuredTicks > 0 ? (double)_allocated / _measuredTicks : double.NaN,
            recorderDroppedSteps, _collectionsAtEnd - _collectionsAtStart, notes, pinnedCpu);
    }
}
