using Robotics.Controller.Ticks;

namespace Robotics.Controller.Gateway.Metrics;

/// <summary>
/// Feeds <see cref="RobotMetrics"/> from the link: every tick's timing from the tick ring, at a cursor of its own (as a
/// telemetry stream reads it), and the loop's events from the session's event stream. Ten passes a second: the ring
/// holds seconds of ticks, so nothing is lost on a machine that is merely busy, and what is lost is counted.
/// </summary>
public sealed class MetricsPump : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ticks;
    private readonly Task _events;

    public MetricsPump(GatewaySession session, RobotMetrics metrics)
    {
        var ring = session.Link.Ticks;
        _ticks = PumpTicksAsync(new TickCursor(ring, ring.Published), metrics);
        _events = PumpEventsAsync(session, metrics);
    }

    private async Task PumpTicksAsync(TickCursor cursor, RobotMetrics metrics)
    {
        using var timer = new PeriodicTimer(Interval);
        long lost = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                while (cursor.TryRead())
                {
                    if (cursor.Header.Kind == TickKind.Step)
                    {
                        metrics.Observe(in cursor.Header);
                    }
                }
                metrics.Unobserved(cursor.Lost - lost);
                lost = cursor.Lost;
            }
        }
        catch (OperationCanceledException)
        {
            // The gateway is stopping.
        }
    }

    private async Task PumpEventsAsync(GatewaySession session, RobotMetrics metrics)
    {
        using var subscription = session.Events.Subscribe();
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(_stop.Token))
            {
                metrics.Count(in e);
            }
        }
        catch (OperationCanceledException)
        {
            // The gateway is stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_ticks, _events);
        _stop.Dispose();
    }
}
