using Robotics.Controller.Loop;
using Robotics.Protos;

namespace Robotics.Controller.Timing;

/// <summary>
/// The loop's clock: ticks on a grid of absolute deadlines of the monotonic clock (as ros2_control's node does),
/// sleeping to each and, when asked, spinning its last stretch. A tick that ends past the next deadline is an
/// overrun: the deadlines already missed are skipped, so the next tick starts on the grid rather than in a burst.
/// An unpaced loop (a simulation run as fast as it goes) never waits.
/// </summary>
internal sealed class LoopPacer(LoopOptions options, LoopStatistics statistics)
{
    private readonly long _period = (long)(1e9 / (options.RateHz * options.TimeScale));
    private readonly long _spin = options.Spin.Ticks * 100;
    private long _deadline;

    /// <summary>The next tick starts late: the one before overran its period.</summary>
    public bool Late { get; private set; }

    public void Begin(long nowNs) => _deadline = nowNs + _period;

    /// <summary>Waits for the next deadline; returns how late it woke (0 unpaced).</summary>
    public long WaitForTick()
    {
        if (!options.Paced)
        {
            return 0;
        }
        if (_spin <= 0)
        {
            AbsoluteSleeper.SleepUntil(_deadline);
        }
        else
        {
            if (_deadline - _spin > MonotonicClock.NowNs())
            {
                AbsoluteSleeper.SleepUntil(_deadline - _spin);
            }
            while (MonotonicClock.NowNs() < _deadline)
            {
                Thread.SpinWait(20);
            }
        }
        return MonotonicClock.NowNs() - _deadline;
    }

    /// <summary>After a tick that ended at <paramref name="nowNs"/>: the next deadline, skipping (and counting) any already passed.</summary>
    public void Advance(long nowNs)
    {
        _deadline += _period;
        Late = options.Paced && nowNs > _deadline;
        if (Late)
        {
            long missed = (nowNs - _deadline) / _period + 1;
            statistics.CountOverrun(missed);
            _deadline += missed * _period;
        }
    }
}
