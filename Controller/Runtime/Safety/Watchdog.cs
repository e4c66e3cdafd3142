using Robotics.Hardware.Robots;

namespace Robotics.Controller.Safety;

/// <summary>
/// A thread that watches the loop's heartbeat (its tick count) and, when it stops moving for longer than the
/// timeout, halts the actuators itself: a loop stuck in a driver, a GC pause or a bug must not leave the
/// motors on their last command. It arms at the first tick (start-up may take long), trips once per stall,
/// and is disarmed when the loop ends.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    private readonly Func<long> _heartbeat;
    private readonly IRobotHardware _hardware;
    private readonly TimeSpan _timeout;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private long _trips;
    private volatile bool _disarmed;

    public Watchdog(Func<long> heartbeat, IRobotHardware hardware, TimeSpan timeout)
    {
        _heartbeat = heartbeat;
        _hardware = hardware;
        _timeout = timeout;
        _thread = new Thread(Watch) { IsBackground = true, Name = "loop-watchdog" };
        _thread.Start();
    }

    /// <summary>Stalls that made it halt the actuators.</summary>
    public long Trips => Volatile.Read(ref _trips);

    /// <summary>The loop has finished (and made the robot safe itself): stop watching.</summary>
    public void Disarm() => _disarmed = true;

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    private void Watch()
    {
        long seen = _heartbeat();
        long movedAt = Protos.MonotonicClock.NowNs();
        bool tripped = false;
        // Checks four times per timeout, so a stall is caught within 1.25 timeouts.
        var interval = _timeout / 4;
        while (!_stop.Wait(interval))
        {
            long beat = _heartbeat();
            long now = Protos.MonotonicClock.NowNs();
            if (_disarmed)
            {
                return;
            }
            if (beat != seen || beat == 0)
            {
                (seen, movedAt, tripped) = (beat, now, false);
                continue;
            }
            if (!tripped && now - movedAt > _timeout.Ticks * 100)
            {
                // Counted, then halted: a tick resuming meanwhile sees the trip after its resume and halts again.
                Interlocked.Increment(ref _trips);
                _hardware.Halt();
                tripped = true;
            }
        }
    }
}
