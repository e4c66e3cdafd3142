using System.Threading.Channels;

namespace Robotics.Controller.Loop;

/// <summary>
/// Fans the robot's events out to whoever watches (the command line, gRPC event streams): a pump thread drains
/// the loop's event ring, control-plane code publishes its own events (override taken, e-stop), and each
/// subscriber reads from a bounded queue that drops its oldest event when full and counts the drop. A slow
/// subscriber loses events; nobody waits for it, least of all the loop.
/// </summary>
public sealed class EventHub : IDisposable
{
    private const int QueueCapacity = 256;
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(5);

    private readonly ControlLoop _loop;
    private readonly List<Subscription> _subscribers = [];
    private readonly Lock _gate = new();
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
    public void Publish(LoopEvent e)
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Offer(e);
            }
        }
    }

    /// <summary>Subscriptions open now.</summary>
    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>A new subscriber's queue; dispose it to unsubscribe.</summary>
    public Subscription Subscribe()
    {
        var subscription = new Subscription(this);
        lock (_gate)
        {
            _subscribers.Add(subscription);
        }
        return subscription;
    }

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
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Complete();
            }
        }
        _stop.Dispose();
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
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

    /// <summary>One subscriber's bounded, drop-oldest queue of events.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly EventHub _hub;
        private readonly Channel<LoopEvent> _queue;
        private long _dropped;

        internal Subscription(EventHub hub)
        {
            _hub = hub;
            _queue = Channel.CreateBounded<LoopEvent>(
                new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => Interlocked.Increment(ref _dropped));
        }

        public ChannelReader<LoopEvent> Reader => _queue.Reader;

        /// <summary>Events this subscriber lost because it read too slowly.</summary>
        public long Dropped => Interlocked.Read(ref _dropped);

        public void Dispose()
        {
            _hub.Unsubscribe(this);
            Complete();
        }

        internal void Offer(LoopEvent e) => _queue.Writer.TryWrite(e);

        internal void Complete() => _queue.Writer.TryComplete();
    }
}
