using Grpc.Core;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Gateway;

/// <summary>
/// What the gateway's services share: the link to the loop process, the server's options, the telemetry streams open,
/// and the loop's events fanned out to every event stream (a pump reads the link's event ring). When the loop is down,
/// every stream ends with UNAVAILABLE and the reason.
/// </summary>
public sealed class GatewaySession : IDisposable
{
    private static readonly TimeSpan EventPoll = TimeSpan.FromMilliseconds(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _telemetrySubscribers;

    public GatewaySession(GatewayLink link, ServerOptions options)
    {
        Link = link;
        Options = options;
        Access = new AccessPolicy(options);
        _pump = PumpEventsAsync(link.Events.ReadFromNow());
    }

    public GatewayLink Link { get; }

    public ServerOptions Options { get; }

    /// <summary>Who may call what: the same rules for gRPC clients and the browser console.</summary>
    public AccessPolicy Access { get; }

    /// <summary>The loop's events, for each event stream.</summary>
    public EventFanout Events { get; } = new();

    public int TelemetrySubscribers => Volatile.Read(ref _telemetrySubscribers);

    internal void CountSubscriber(int change) => Interlocked.Add(ref _telemetrySubscribers, change);

    /// <summary>What a call that needs the robot ends with once the loop is down.</summary>
    public RpcException RobotDown() => new(new Status(StatusCode.Unavailable, Link.DownReason));

    public void Dispose()
    {
        _stop.Cancel();
        _pump.Wait();
        _stop.Dispose();
    }

    private async Task PumpEventsAsync(EventRing.Cursor events)
    {
        using var timer = new PeriodicTimer(EventPoll);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                while (events.TryRead(out var e))
                {
                    Events.Publish(e);
                }
                if (Link.Down.IsCancellationRequested)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The gateway is stopping.
        }
        Events.Complete();
    }
}
