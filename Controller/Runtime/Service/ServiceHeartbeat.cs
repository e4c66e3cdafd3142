using System.Globalization;
using Robotics.Controller.Loop;

namespace Robotics.Controller.Service;

/// <summary>
/// Tells systemd how the loop is, from a thread of its own (never the loop's): READY=1 once the loop has done its
/// first tick, so `systemctl start` returns when the robot is under control and not before; then WATCHDOG=1 every
/// watchdog interval in which the loop's tick count moved. A wedged loop (a hung driver call, a deadlock) stops the
/// pings, and systemd kills and restarts the service after WatchdogSec; a loop that ticks in a safe state (an e-stop,
/// a fault) is alive and keeps pinging. STOPPING=1 when the run begins to stop.
/// </summary>
public sealed class ServiceHeartbeat : IDisposable
{
    /// <summary>How often the thread looks for the first tick: start-up is measured to a few milliseconds.</summary>
    private static readonly TimeSpan FirstTickPoll = TimeSpan.FromMilliseconds(2);

    private readonly SystemdNotifier _notifier;
    private readonly Func<long> _ticks;
    private readonly string _status;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stopping = new();

    /// <param name="ticks">The loop's tick count (<see cref="LoopStatistics.Ticks"/>), read without locks.</param>
    /// <param name="status">What systemctl status shows once the robot runs.</param>
    public ServiceHeartbeat(SystemdNotifier notifier, Func<long> ticks, string status)
    {
        _notifier = notifier;
        _ticks = ticks;
        _status = status;
        _thread = new Thread(Run) { IsBackground = true, Name = "service heartbeat" };
        _thread.Start();
    }

    /// <summary>Watches <paramref name="loop"/>; null when the process is not a notify service.</summary>
    public static ServiceHeartbeat? For(ControlLoop loop, string status) =>
        SystemdNotifier.FromEnvironment() is { } notifier ? new ServiceHeartbeat(notifier, () => loop.Statistics.Ticks, status) : null;

    /// <summary>Says the service is stopping and stops pinging; the loop's own stop continues as it would.</summary>
    public void Stopping()
    {
        if (!_stopping.IsSet)
        {
            _stopping.Set();
            _notifier.Send("STOPPING=1");
        }
    }

    private void Run()
    {
        while (_ticks() == 0)
        {
            if (_stopping.Wait(FirstTickPoll))
            {
                return;
            }
        }
        _notifier.Send(string.Create(CultureInfo.InvariantCulture, $"READY=1\nSTATUS={_status}"));
        if (_notifier.WatchdogInterval is not { } interval)
        {
            return;
        }
        long seen = _ticks();
        while (!_stopping.Wait(interval))
        {
            long now = _ticks();
            if (now != seen)
            {
                _notifier.Send("WATCHDOG=1");
            }
            seen = now;
        }
    }

    public void Dispose()
    {
        Stopping();
        _thread.Join();
        _stopping.Dispose();
        _notifier.Dispose();
    }
}
