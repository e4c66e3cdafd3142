using System.Threading.Channels;

namespace Robotics.Controller.Loop;

/// <summary>
/// Hands each event to every subscriber: each reads from a bounded queue that drops its oldest event when full and
/// counts the drop. A slow subscriber loses events; nobody waits for it. The loop process's <see cref="EventHub"/>
/// and the gateway's event streams both fan out through one.
/// </summary>
public sealed class EventFanout
{
    private const int QueueCapacity = 256;

    private readonly List<Subscription> _subscribers = [];
    private readonly Lock _gate = new();

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

    /// <summary>Offers <paramref name="e"/> to every subscriber (any thread but the loop's).</summary>
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

    /// <summary>Ends every subscriber's stream (after what is queued).</summary>
    public void Complete()
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Complete();
            }
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }

    /// <summary>One subscriber's bounded, drop-oldest queue of events.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly EventFanout _fanout;
        private readonly Channel<LoopEvent> _queue;
        private long _dropped;

        internal Subscription(EventFanout fanout)
        {
            _fanout = fanout;
            _queue = Channel.CreateBounded<LoopEvent>(
                new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => Interlocked.Increment(ref _dropped));
        }

        public ChannelReader<LoopEvent> Reader => _queue.Reader;

        /// <summary>Events this subscriber lost because it read too slowly.</summary>
        public long Dropped => Interlocked.Read(ref _dropped);

        public void Dispose()
        {
            _fanout.Unsubscribe(this);
            Complete();
        }

        internal void Offer(LoopEvent e) => _queue.Writer.TryWrite(e);

        internal void Complete() => _queue.Writer.TryComplete();
    }
}
