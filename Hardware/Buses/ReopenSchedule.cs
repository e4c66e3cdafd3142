namespace Robotics.Hardware.Buses;

/// <summary>
/// When a device thread tries a serial adapter again after a port fault (the adapter was pulled out): every
/// half second, and only once its device file is back, so an absent adapter costs a stat rather than an open
/// that fails. Counts the times it came back. One device thread schedules; any thread may read the count.
/// </summary>
public sealed class ReopenSchedule
{
    private const long IntervalMs = 500;
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
