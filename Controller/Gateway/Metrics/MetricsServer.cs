using System.Net;
using Prometheus;

namespace Robotics.Controller.Gateway.Metrics;

/// <summary>
/// The robot's metrics at http://HOST:PORT/metrics in Prometheus's text format (--metrics), on a listener of its own:
/// plain HTTP/1.1 as Prometheus scrapes, apart from the gRPC port and its token. Runs in the gateway process.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private readonly SideListener _listener;
    private readonly MetricsPump _pump;

    private MetricsServer(SideListener listener, MetricsPump pump)
    {
        _listener = listener;
        _pump = pump;
    }

    /// <summary>The metrics' URL, with the port it got.</summary>
    public Uri Address => new(_listener.Address, "/metrics");

    public static async Task<MetricsServer> StartAsync(GatewaySession session, IPEndPoint endpoint)
    {
        var metrics = new RobotMetrics(session);
        var listener = await SideListener.StartAsync(endpoint, (app, _) => app.MapMetrics("/metrics", metrics.Registry));
        return new MetricsServer(listener, new MetricsPump(session, metrics));
    }

    public async ValueTask DisposeAsync()
    {
        await _pump.DisposeAsync();
        await _listener.DisposeAsync();
    }
}
