using System.Runtime.InteropServices;

namespace Robotics.Controller.Timing;

/// <summary>CPU time the calling thread has used (clock_gettime with CLOCK_THREAD_CPUTIME_ID, Linux).</summary>
public static partial class ThreadCpuTime
{
    // <time.h>: CLOCK_THREAD_CPUTIME_ID is 3 on Linux.
    private const int ClockThreadCpuTimeId = 3;

    public static long NowNs()
    {
        if (clock_gettime(ClockThreadCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }
        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
