namespace Robotics.Hardware.Buses;

/// <summary>
/// When a device thread tries a device file again after it went away (a serial adapter or a gamepad pulled
/// out): every half second, and only once its device file is back, so an absent device costs a stat rather
/// than an open that fails. Counts the times it came back. One device thread schedules; any thread may read
/// the count.
/// </summary>
public sealed class ReopenSchedule
{
    private const long IntervalMs = 500;

    /// <summary>How long a thread with nothing else to do may sleep between tries.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromMilliseconds(IntervalMs);
    private long _next;
    private long _reopens;

    /// <summary>Times the adapter was opened again after it went away.</summary>
    public long Reopens => Interlocked.Read(ref _reopens);

    /// <summary>The port failed now: the first try is half a second away.</summary>
    public void Lost() => _next = Environment.TickCount64 + IntervalMs;

    /// <summary>Whether to try opening <paramref name="port"/> now; when it is, the next try is half a second away.</summary>
    public bool Due(string port)
    {
        if (Environment.TickCount64 < _next || !File.Exists(port))
        {
            return false;
        }
        _next = Environment.TickCount64 + IntervalMs;
        return true;
    }

    /// <summary>The port is open again.</summary>
    public void Reopened() => Interlocked.Increment(ref _reopens);
}
