using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Robotics.Controller.Gateway;

/// <summary>
/// A listener of the gateway's own beside the gRPC port (the metrics, Foxglove, the console): Kestrel over HTTP/1.1 at
/// its address, over TLS with the gRPC server's certificate when given one, stopped with the gateway.
/// </summary>
internal sealed class SideListener : IAsyncDisposable
{
    // Long enough for open connections to hear that the gateway stops; short enough that a stop is not held up.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();

    private SideListener(WebApplication app) => _app = app;

    /// <summary>The address it listens on, with the port it got.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Binds and starts serving what <paramref name="configure"/> maps, which is told when the listener stops (for connections that last).</summary>
    public static async Task<SideListener> StartAsync(IPEndPoint endpoint, Action<WebApplication, CancellationToken> configure, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var listener = new SideListener(builder.Build());
        configure(listener._app, listener._stopping.Token);
        await listener._app.StartAsync();
        listener.Address = ListeningAddress.Of(listener._app);
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using var grace = new CancellationTokenSource(StopGrace);
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
