using System.Runtime.InteropServices;

namespace Robotics.Controller.Timing;

/// <summary>
/// Sleeps until an absolute time of CLOCK_MONOTONIC with clock_nanosleep(TIMER_ABSTIME) (clock_nanosleep(2)):
/// the deadline does not drift with the time spent working, and a late wake-up does not push the next one.
/// Allocation-free; Linux only.
/// </summary>
public static partial class AbsoluteSleeper
{
    // <time.h>/<linux/time.h>: CLOCK_MONOTONIC = 1, TIMER_ABSTIME = 1; <errno.h>: EINTR = 4.
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int Interrupted = 4;

    /// <summary>Returns at or after <paramref name="deadlineNs"/> on the monotonic clock (<see cref="Protos.MonotonicClock"/>).</summary>
    public static void SleepUntil(long deadlineNs)
    {
        var deadline = new TimeSpec { Seconds = deadlineNs / 1_000_000_000, Nanoseconds = deadlineNs % 1_000_000_000 };
        int error;
        do
        {
            // Returns the error number directly (not through errno); EINTR means a signal woke us early.
            error = ClockNanosleep(ClockMonotonic, TimerAbsoluteTime, in deadline, IntPtr.Zero);
        }
        while (error == Interrupted);
        if (error != 0)
        {
            throw new InvalidOperationException($"clock_nanosleep failed with error {error}");
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clockId, int flags, in TimeSpec request, IntPtr remain);

    /// <summary>struct timespec on 64-bit Linux: two longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
