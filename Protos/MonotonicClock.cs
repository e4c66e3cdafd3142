using System.Diagnostics;

namespace Robotics.Protos;

/// <summary>
/// The clock every timestamp in the contracts uses: CLOCK_MONOTONIC in nanoseconds, the clock Stopwatch
/// reads on Linux. It never jumps with NTP or the user, and is shared by every process on the machine, so
/// a recorder and a controller in different processes agree on it.
/// </summary>
public static class MonotonicClock
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>Now, in nanoseconds since an arbitrary fixed point (boot, on Linux).</summary>
    public static long NowNs() => Stopwatch.Frequency == 1_000_000_000
        ? Stopwatch.GetTimestamp()
        : (long)(Stopwatch.GetTimestamp() * NanosecondsPerTick);

    /// <summary>Nanoseconds to add to a monotonic time to get Unix time, as of now.</summary>
    public static long UnixOffsetNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100 - NowNs();
}
