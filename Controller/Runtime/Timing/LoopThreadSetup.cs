using System.Runtime;
using Robotics.Controller.Loop;

namespace Robotics.Controller.Timing;

/// <summary>
/// What the loop's thread asks of the machine for a run, undone when the run ends: CPUs held out of deep idle
/// states (<see cref="CpuWakeLatency"/>), SCHED_FIFO on a pinned CPU with the process's other threads moved off it
/// and minimal timer slack (<see cref="RealtimeThread.PrepareLoopThread"/>), the process's memory locked when asked
/// (<see cref="MemoryLock"/>), and the GC in sustained low latency (no blocking gen-2 collections while the loop runs).
/// What the machine refuses is one note each.
/// </summary>
internal sealed class LoopThreadSetup : IDisposable
{
    private readonly CpuWakeLatency? _wakeLatency;
    private readonly GCLatencyMode _previousLatency = GCSettings.LatencyMode;
    private readonly bool _memoryLocked;

    /// <summary>Call on the loop's thread before its first tick.</summary>
    public LoopThreadSetup(LoopOptions options, List<string> notes)
    {
        _wakeLatency = options.Realtime && options.Paced ? CpuWakeLatency.RequestZero() : null;
        if (_wakeLatency?.Refused is string refused)
        {
            notes.Add(refused);
        }
        var (refusedHere, pinnedCpu) = RealtimeThread.PrepareLoopThread(options.Paced, options.Realtime, options.Priority, options.Cpu);
        notes.AddRange(refusedHere);
        PinnedCpu = pinnedCpu;
        if (options.LockMemory)
        {
            string? lockRefused = MemoryLock.LockAll();
            _memoryLocked = lockRefused is null;
            if (lockRefused is not null)
            {
                notes.Add(lockRefused);
            }
        }
        GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
    }

    /// <summary>The CPU the loop's thread is pinned to; null when it is not (no --realtime, or the machine refused).</summary>
    public int? PinnedCpu { get; }

    public void Dispose()
    {
        GCSettings.LatencyMode = _previousLatency;
        _wakeLatency?.Dispose();
        if (_memoryLocked)
        {
            MemoryLock.UnlockAll();
        }
    }
}
