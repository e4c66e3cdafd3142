using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Robotics.Controller.Gateway.Metrics;

/// <summary>
/// The robot's metrics at http://HOST:PORT/metrics in Prometheus's text format (--metrics), on a listener of its own:
/// plain HTTP/1.1 as Prometheus scrapes, apart from the gRPC port and its token. Runs in the gateway process.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MetricsPump _pump;

    private MetricsServer(WebApplication app, MetricsPump pump, Uri address)
    {
        _app = app;
        _pump = pump;
        Address = address;
    }

    /// <summary>The metrics' URL, with the port it got.</summary>
    public Uri Address { get; }

    public static async Task<MetricsServer> StartAsync(GatewaySession session, IPEndPoint endpoint)
    {
        var metrics = new RobotMetrics(session);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.MapMetrics("/metrics", metrics.Registry);
        await app.StartAsync();
        var pump = new MetricsPump(session, metrics);
        return new MetricsServer(app, pump, new Uri(ListeningAddress.Of(app), "/metrics"));
    }

    public async ValueTask DisposeAsync()
    {
        await _pump.DisposeAsync();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}
