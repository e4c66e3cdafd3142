using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Robotics.Protos;

namespace Robotics.Controller.Gateway.Foxglove;

/// <summary>
/// A live robot for Foxglove (--foxglove): a WebSocket server speaking Foxglove's protocol on a listener of its own, in
/// the gateway process. Each connection is a <see cref="FoxgloveConnection"/>. Foxglove sends no token, so what it
/// serves is telemetry only, and off loopback only where the robot's telemetry is open (<see cref="Remote.ServerOptions.FoxgloveEndpoint"/>).
/// </summary>
public sealed class FoxgloveServer : IAsyncDisposable
{
    private SideListener _listener = null!;

    // One per server start: the app drops what it holds of a session when this changes (a restarted gateway).
    private readonly string _sessionId = (MonotonicClock.NowNs() + MonotonicClock.UnixOffsetNs()).ToString(CultureInfo.InvariantCulture);

    /// <summary>The ws:// URL to open in Foxglove, with the port it got.</summary>
    public Uri Address => new UriBuilder(_listener.Address) { Scheme = "ws" }.Uri;

    public static async Task<FoxgloveServer> StartAsync(GatewaySession session, IPEndPoint endpoint)
    {
        var server = new FoxgloveServer();
        server._listener = await SideListener.StartAsync(endpoint, (app, stopping) =>
        {
            // Pings keep a quiet connection alive through NATs and find a vanished app (the protocol has no ping of its own).
            app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(10), KeepAliveTimeout = TimeSpan.FromSeconds(10) });
            app.Run(context => server.AcceptAsync(context, session, stopping));
        });
        return server;
    }

    private async Task AcceptAsync(HttpContext context, GatewaySession session, CancellationToken stopping)
    {
        string? subprotocol = context.WebSockets.IsWebSocketRequest ? FoxgloveProtocol.Choose(context.WebSockets.WebSocketRequestedProtocols) : null;
        if (subprotocol is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(
                $"a Foxglove WebSocket server: open it in Foxglove (Open connection, Foxglove WebSocket, {Address}); it speaks {FoxgloveProtocol.SdkSubprotocol} and {FoxgloveProtocol.WebSocketSubprotocol}\n", context.RequestAborted);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync(subprotocol);
        await new FoxgloveConnection(socket, session, _sessionId).RunAsync(stopping);
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
