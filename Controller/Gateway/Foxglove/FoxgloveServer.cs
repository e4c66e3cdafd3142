using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Robotics.Protos;

namespace Robotics.Controller.Gateway.Foxglove;

/// <summary>
/// A live robot for Foxglove (--foxglove): a WebSocket server speaking Foxglove's protocol on a listener of its own, in
/// the gateway process. Each connection is a <see cref="FoxgloveConnection"/>. Foxglove sends no token, so what it
/// serves is telemetry only, and off loopback only where the robot's telemetry is open (<see cref="Remote.ServerOptions.FoxgloveEndpoint"/>).
/// </summary>
public sealed class FoxgloveServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();

    // One per server start: the app drops what it holds of a session when this changes (a restarted gateway).
    private readonly string _sessionId = (MonotonicClock.NowNs() + MonotonicClock.UnixOffsetNs()).ToString(CultureInfo.InvariantCulture);

    private FoxgloveServer(WebApplication app) => _app = app;

    /// <summary>The ws:// URL to open in Foxglove, with the port it got.</summary>
    public Uri Address { get; private set; } = null!;

    public static async Task<FoxgloveServer> StartAsync(GatewaySession session, IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var server = new FoxgloveServer(app);
        // Pings keep a quiet connection alive through NATs and find a vanished app (the protocol has no ping of its own).
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(10), KeepAliveTimeout = TimeSpan.FromSeconds(10) });
        app.Run(context => server.AcceptAsync(context, session));
        await app.StartAsync();
        var address = ListeningAddress.Of(app);
        server.Address = new UriBuilder(address) { Scheme = "ws" }.Uri;
        return server;
    }

    private async Task AcceptAsync(HttpContext context, GatewaySession session)
    {
        string? subprotocol = context.WebSockets.IsWebSocketRequest ? FoxgloveProtocol.Choose(context.WebSockets.WebSocketRequestedProtocols) : null;
        if (subprotocol is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(
                $"a Foxglove WebSocket server: open it in Foxglove (Open connection, Foxglove WebSocket, {Address}); it speaks {FoxgloveProtocol.SdkSubprotocol} and {FoxgloveProtocol.WebSocketSubprotocol}\n");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(subprotocol);
        await new FoxgloveConnection(socket, session, _sessionId).RunAsync(_stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
