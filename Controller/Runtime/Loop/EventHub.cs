namespace Robotics.Controller.Loop;

/// <summary>
/// Fans the robot's events out to whoever watches in the loop process (the command line, the link to the gateway): a
/// pump thread drains the loop's event ring, control-plane code publishes its own events (override taken, e-stop),
/// and each subscriber reads from its own bounded, drop-oldest queue (<see cref="EventFanout"/>). Nobody waits for a
/// slow subscriber, least of all the loop.
/// </summary>
public sealed class EventHub : IDisposable
{
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(5);

    private readonly ControlLoop _loop;
    private readonly EventFanout _fanout = new();
    // The loop's event ring has one consumer: the pump and Flush take turns through this.
    private readonly Lock _drain = new();
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _pump;
    private readonly HaltWatch _halts;
    private readonly Action<LoopEvent> _publish;

    public EventHub(ControlLoop loop)
    {
        _loop = loop;
        _halts = new HaltWatch(loop.Hardware.Devices);
        _publish = Publish;
        _pump = new Thread(Pump) { IsBackground = true, Name = "event-hub" };
        _pump.Start();
    }

    /// <summary>Publishes an event from the control plane (any thread but the loop's).</summary>
    public void Publish(LoopEvent e) => _fanout.Publish(e);

    /// <summary>Subscriptions open now.</summary>
    public int Subscribers => _fanout.Subscribers;

    /// <summary>A new subscriber's queue; dispose it to unsubscribe.</summary>
    public EventFanout.Subscription Subscribe() => _fanout.Subscribe();

    /// <summary>Drains what the loop has produced so far, now (the pump does it every few milliseconds anyway).</summary>
    public void Flush()
    {
        lock (_drain)
        {
            while (_loop.Events.TryRead(out var e))
            {
                Publish(e);
            }
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _pump.Join();
        Flush();
        _fanout.Complete();
        _stop.Dispose();
    }

    private void Pump()
    {
        do
        {
            Flush();
            _halts.Check(_loop.Status, _publish);
        }
        while (!_stop.Wait(PumpInterval));
    }
}
