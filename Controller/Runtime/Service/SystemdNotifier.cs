using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Robotics.Controller.Service;

/// <summary>
/// The service manager's notification socket (sd_notify(3)): a Unix datagram socket whose path systemd passes in
/// NOTIFY_SOCKET to a Type=notify service. Written in a few lines rather than linking libsystemd: the protocol is one
/// datagram of newline-separated KEY=VALUE assignments. An address starting with '@' is in the abstract namespace.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;

    private SystemdNotifier(string address, TimeSpan? watchdogInterval)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        string path = address[0] == '@' ? "\0" + address[1..] : address;
        _socket.Connect(new UnixDomainSocketEndPoint(path));
        // Never wait on the service manager: past the few datagrams the kernel queues for it (net.unix.max_dgram_qlen),
        // a blocking send would wait until it reads, and the stop that says STOPPING=1 would wait with it.
        _socket.Blocking = false;
        WatchdogInterval = watchdogInterval;
    }

    /// <summary>
    /// How often systemd expects WATCHDOG=1: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; null when the
    /// unit has no WatchdogSec or the watchdog is meant for another process (WATCHDOG_PID).
    /// </summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>The notifier systemd asked for, or null when this process is not a notify service.</summary>
    public static SystemdNotifier? FromEnvironment()
    {
        string? address = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }
        return Connect(address, WatchdogIntervalFromEnvironment());
    }

    /// <summary>A notifier on <paramref name="address"/> (a path, or '@' and an abstract name).</summary>
    public static SystemdNotifier Connect(string address, TimeSpan? watchdogInterval) => new(address, watchdogInterval);

    private static TimeSpan? WatchdogIntervalFromEnvironment() => ParseWatchdogInterval(
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);

    /// <summary>
    /// Half of <paramref name="usec"/> (WATCHDOG_USEC, whole microseconds); null when it is missing, not a positive whole
    /// number, or when <paramref name="pid"/> (WATCHDOG_PID) names another process than <paramref name="ownPid"/>.
    /// </summary>
    internal static TimeSpan? ParseWatchdogInterval(string? usec, string? pid, int ownPid)
    {
        if (!string.IsNullOrEmpty(pid) && pid != ownPid.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }
        return long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long microseconds) && microseconds > 0
            ? TimeSpan.FromMicroseconds(microseconds / 2.0)
            : null;
    }

    /// <summary>
    /// Sends one notification, e.g. "READY=1\nSTATUS=running". A service manager that went away, or is not reading (its
    /// queue full: the send would block), is not the robot's problem: the notification is dropped.
    /// </summary>
    public void Send(string assignments)
    {
        try
        {
            _socket.Send(Encoding.UTF8.GetBytes(assignments));
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();
}
