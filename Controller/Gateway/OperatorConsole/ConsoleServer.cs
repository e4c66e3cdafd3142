using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Robotics.Controller.Gateway.OperatorConsole;

/// <summary>
/// The operator's browser console (--console): the page from <see cref="ConsoleAssets"/> and, at /session, the
/// WebSocket each tab opens (<see cref="ConsoleConnection"/>), on a listener of its own in the gateway process, over TLS
/// with the gRPC server's certificate when gRPC is served over TLS.
/// </summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private const string SessionPath = "/session";

    // The page loads only its own files and talks only to its own server; it cannot be framed by another site.
    private const string ContentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private readonly SideListener _listener;

    private ConsoleServer(SideListener listener) => _listener = listener;

    /// <summary>The page's URL, with the port it got.</summary>
    public Uri Address => _listener.Address;

    public static async Task<ConsoleServer> StartAsync(GatewaySession session, IPEndPoint endpoint, X509Certificate2? certificate) =>
        new(await SideListener.StartAsync(endpoint, (app, stopping) =>
        {
            // Pings find a tab whose laptop went to sleep, so its override session ends as a dropped stream does.
            app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(5), KeepAliveTimeout = TimeSpan.FromSeconds(10) });
            app.Run(context => context.Request.Path == SessionPath ? AcceptAsync(context, session, stopping) : ServeAssetAsync(context));
        }, certificate));

    private static async Task ServeAssetAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        if (!HttpMethods.IsGet(context.Request.Method) || ConsoleAssets.Find(context.Request.Path.Value ?? "/") is not { } asset)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsync("not a page of the robot's console: open / \n");
            return;
        }
        // A controller update brings new assets: never serve a cached page against a newer gateway.
        response.Headers.CacheControl = "no-store";
        response.ContentType = asset.ContentType;
        await response.Body.WriteAsync(asset.Content);
    }

    private static async Task AcceptAsync(HttpContext context, GatewaySession session, CancellationToken stopping)
    {
        // A page of another site may not open the robot's session with the browser's help (cross-site WebSocket hijacking).
        string origin = context.Request.Headers.Origin.ToString();
        string self = $"{context.Request.Scheme}://{context.Request.Host}";
        if (!context.WebSockets.IsWebSocketRequest || !string.Equals(origin, self, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = context.WebSockets.IsWebSocketRequest ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(context.WebSockets.IsWebSocketRequest
                ? $"the console's session is for the console's own page ({self}/), not {(origin.Length == 0 ? "a page without an origin" : origin)}\n"
                : "the console's session is a WebSocket: open the console's page\n", context.RequestAborted);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        string peer = $"console {context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
        await new ConsoleConnection(socket, session, peer).RunAsync(stopping);
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
