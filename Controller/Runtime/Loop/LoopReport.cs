using Robotics.Controller.Timing;

namespace Robotics.Controller.Loop;

/// <summary>A finished run's figures.</summary>
/// <param name="GarbageCollections">Collections (any generation) while the loop ran; each pauses every managed thread, the loop included.</param>
/// <param name="PinnedCpu">The CPU the loop's thread ran pinned to; null when it was not pinned.</param>
public sealed record LoopReport(
    long Ticks,
    double Seconds,
    double AchievedRateHz,
    long Episodes,
    long Successes,
    long Failures,
    long Aborted,
    long Overruns,
    long SkippedSlots,
    long Faults,
    long WatchdogTrips,
    LatencySummary Lateness,
    LatencySummary Read,
    LatencySummary Inference,
    LatencySummary Work,
    double AllocatedBytesPerTick,
    long RecorderDroppedSteps,
    int GarbageCollections,
    IReadOnlyList<string> Notes,
    int? PinnedCpu)
{
    public double SuccessRate => Episodes == 0 ? 0 : (double)Successes / Episodes;
}
