using System.Runtime.InteropServices;

namespace Robotics.Controller.Timing;

/// <summary>
/// Gives the calling thread real-time scheduling (SCHED_FIFO) and pins it to one CPU, where the process is
/// allowed to (root, CAP_SYS_NICE, or an rtprio limit in /etc/security/limits.conf). Linux only.
/// </summary>
public static partial class RealtimeThread
{
    // <sched.h>: SCHED_FIFO = 1; <errno.h>: EPERM = 1.
    private const int SchedFifo = 1;
    private const int NotPermitted = 1;
    // cpu_set_t is 1024 bits (<sched.h>, __CPU_SETSIZE).
    private const int CpuSetBytes = 128;

    private static readonly int StartingLastCpu;

    // Explicit, so that it runs before any member of this class is used (no beforefieldinit): before it moves a thread.
    static RealtimeThread() => StartingLastCpu = ReadLastAllowedCpu();

    /// <summary>
    /// Sets up the calling thread to run a control loop: minimal timer slack when it sleeps to deadlines; with
    /// <paramref name="realtime"/>, SCHED_FIFO at <paramref name="priority"/>, pinned to <paramref name="cpu"/> (the last
    /// allowed CPU when null) with the process's other threads moved off it. Returns one line per thing refused, and
    /// the CPU the thread is pinned to (null when it is not).
    /// </summary>
    public static (IReadOnlyList<string> Refused, int? PinnedCpu) PrepareLoopThread(bool paced, bool realtime, int priority, int? cpu)
    {
        var refused = new List<string>();
        if (paced && TrySetMinimalTimerSlack() is string slack)
        {
            refused.Add(slack);
        }
        if (!realtime)
        {
            return (refused, null);
        }
        if (TrySetFifo(priority) is string fifo)
        {
            refused.Add(fifo);
        }
        int pinned = cpu ?? LastAllowedCpu();
        if (TryPin(pinned) is string unpinned)
        {
            refused.Add(unpinned);
            return (refused, null);
        }
        if (TryKeepOtherThreadsOff(pinned) is string shared)
        {
            refused.Add(shared);
        }
        return (refused, pinned);
    }

    /// <summary>Switches the calling thread to SCHED_FIFO at <paramref name="priority"/> (1–99); the reason when it cannot.</summary>
    public static string? TrySetFifo(int priority)
    {
        var parameter = new SchedParam { Priority = priority };
        if (SchedSetScheduler(0, SchedFifo, in parameter) == 0)
        {
            return null;
        }
        int error = Marshal.GetLastPInvokeError();
        return error == NotPermitted
            ? "real-time priority (SCHED_FIFO) not permitted: run as root, grant CAP_SYS_NICE, or raise the rtprio limit; running at normal priority"
            : $"real-time priority (SCHED_FIFO {priority}) failed with errno {error}; running at normal priority";
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; the reason when it cannot.</summary>
    public static string? TryPin(int cpu)
    {
        if (cpu < 0 || cpu >= CpuSetBytes * 8)
        {
            return $"cannot pin to CPU {cpu}";
        }
        Span<byte> mask = stackalloc byte[CpuSetBytes];
        mask.Clear();
        mask[cpu / 8] = (byte)(1 << (cpu % 8));
        if (SchedSetAffinity(0, CpuSetBytes, ref MemoryMarshal.GetReference(mask)) == 0)
        {
            return null;
        }
        return $"pinning to CPU {cpu} failed with errno {Marshal.GetLastPInvokeError()}; the thread may migrate";
    }

    /// <summary>
    /// Keeps this whole process off <paramref name="cpu"/> (the gateway beside a loop pinned there): the calling thread
    /// and every other, so threads started later, which inherit their creator's CPUs, stay off it too. The reason when it
    /// cannot; nothing when the process has no other CPU.
    /// </summary>
    public static string? TryKeepProcessOff(int cpu)
    {
        Span<byte> mask = stackalloc byte[CpuSetBytes];
        if (cpu < 0 || cpu >= CpuSetBytes * 8 || SchedGetAffinity(0, CpuSetBytes, ref MemoryMarshal.GetReference(mask)) != 0)
        {
            return $"cannot keep off CPU {cpu}";
        }
        mask[cpu / 8] &= (byte)~(1 << (cpu % 8));
        if (mask.IndexOfAnyExcept((byte)0) < 0)
        {
            return null;
        }
        if (SchedSetAffinity(0, CpuSetBytes, ref MemoryMarshal.GetReference(mask)) != 0)
        {
            return $"could not move off CPU {cpu} (errno {Marshal.GetLastPInvokeError()})";
        }
        return TryKeepOtherThreadsOff(cpu);
    }

    /// <summary>
    /// Moves every other thread of this process off <paramref name="cpu"/>, so the pinned thread has it to
    /// itself as far as this process goes (the server, the recorder, the runtime's own threads run elsewhere).
    /// Threads started later inherit their creator's CPUs, which no longer include it. Does nothing when the
    /// process has no other CPU. Returns the reason when a thread could not be moved.
    /// </summary>
    public static string? TryKeepOtherThreadsOff(int cpu)
    {
        // <errno.h>: ESRCH = 3, the thread exited while we looked.
        const int NoSuchThread = 3;
        int self = GetThreadId();
        Span<byte> mask = stackalloc byte[CpuSetBytes];
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(task), out int thread) || thread == self
                || SchedGetAffinity(thread, CpuSetBytes, ref MemoryMarshal.GetReference(mask)) != 0)
            {
                continue;
            }
            mask[cpu / 8] &= (byte)~(1 << (cpu % 8));
            if (mask.IndexOfAnyExcept((byte)0) < 0)
            {
                return null;
            }
            if (SchedSetAffinity(thread, CpuSetBytes, ref MemoryMarshal.GetReference(mask)) != 0 && Marshal.GetLastPInvokeError() != NoSuchThread)
            {
                return $"could not move thread {thread} off CPU {cpu} (errno {Marshal.GetLastPInvokeError()}); it may share the loop's CPU";
            }
        }
        return null;
    }

    /// <summary>
    /// The highest-numbered CPU this process was given (by taskset, a cgroup, a unit's CPUAffinity=): the one to give the
    /// loop. Judged on the CPUs the process had before this class moved any thread, not the calling thread's: once a loop
    /// has run, every other thread is kept off its CPU, and a second loop of the process (a benchmark's next phase, a
    /// DAgger round) or the gateway told which CPU to avoid must still find the same one.
    /// </summary>
    public static int LastAllowedCpu() => StartingLastCpu;

    private static int ReadLastAllowedCpu()
    {
        Span<byte> mask = stackalloc byte[CpuSetBytes];
        if (SchedGetAffinity(0, CpuSetBytes, ref MemoryMarshal.GetReference(mask)) != 0)
        {
            return Environment.ProcessorCount - 1;
        }
        for (int cpu = CpuSetBytes * 8 - 1; cpu >= 0; cpu--)
        {
            if ((mask[cpu / 8] & (1 << (cpu % 8))) != 0)
            {
                return cpu;
            }
        }
        return 0;
    }

    /// <summary>
    /// Sets the calling thread's timer slack to 1 ns (prctl PR_SET_TIMERSLACK): by default Linux may defer a
    /// normal thread's timed wake-up by up to 50 µs to batch it with others, which shows up directly as
    /// lateness. Returns the reason when it cannot.
    /// </summary>
    public static string? TrySetMinimalTimerSlack()
    {
        // <linux/prctl.h>: PR_SET_TIMERSLACK = 29; the slack is in nanoseconds.
        const int SetTimerSlack = 29;
        return Prctl(SetTimerSlack, 1, 0, 0, 0) == 0 ? null : $"timer slack could not be lowered (errno {Marshal.GetLastPInvokeError()})";
    }

    /// <summary>The calling thread's scheduling policy (0 = SCHED_OTHER, 1 = SCHED_FIFO).</summary>
    public static int CurrentPolicy() => SchedGetScheduler(0);

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, in SchedParam parameter);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler", SetLastError = true)]
    private static partial int SchedGetScheduler(int pid);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint size, ref byte mask);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nint size, ref byte mask);
}
