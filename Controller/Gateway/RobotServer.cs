using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Robotics.Controller.Gateway.Foxglove;
using Robotics.Controller.Gateway.Metrics;
using Robotics.Controller.Gateway.OperatorConsole;
using Robotics.Controller.Link;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Gateway;

/// <summary>
/// The gateway's gRPC server: Kestrel over HTTP/2 (TLS with a certificate file when the URL is https), the three
/// services behind the token check, plus health checks and server reflection, all serving what the loop process
/// publishes over the link; and, when asked, the robot's Prometheus metrics on a listener of their own (<see cref="MetricsServer"/>). Usually alone in the gateway process (<c>controller gateway</c>); a simulation or a test
/// may host it beside its loop.
/// </summary>
public sealed class RobotServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GatewaySession _session;
    private MetricsServer? _metrics;
    private FoxgloveServer? _foxglove;
    private ConsoleServer? _console;

    private RobotServer(WebApplication app, GatewaySession session)
    {
        _app = app;
        _session = session;
    }

    /// <summary>Where the Prometheus metrics are served (--metrics); null when they are not.</summary>
    public Uri? MetricsAddress => _metrics?.Address;

    /// <summary>The live Foxglove server's ws:// URL; null when not served.</summary>
    public Uri? FoxgloveAddress => _foxglove?.Address;

    /// <summary>The operator console's URL; null when not served.</summary>
    public Uri? ConsoleAddress => _console?.Address;

    /// <summary>The address it listens on (with the port it got, when asked for port 0).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1");

    public GatewaySession Session => _session;

    /// <summary>
    /// Binds and starts serving, and tells the link the address it got. Start it before the loop's first tick: a port
    /// already taken or a bad certificate then fails the run before the robot has moved.
    /// </summary>
    public static async Task<RobotServer> StartAsync(GatewayLink link, ServerOptions options)
    {
        var endpoint = options.Validate();
        // Read before Kestrel is configured, so that a bad file is refused naming its option; Kestrel keeps it while it serves.
        var certificate = options.TlsCertificate is null ? null : PemFiles.WithKey(options.TlsCertificate, options.TlsKey!);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var session = new GatewaySession(link, options);
        builder.Services.AddSingleton(session);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(session.Access);
        builder.Services.AddSingleton<AccessInterceptor>();
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<AccessInterceptor>());
        // grpc.health.v1 reports SERVING while the control loop runs, NOT_SERVING once it has stopped or its process is gone.
        builder.Services.AddGrpcHealthChecks()
            .AddCheck("control-loop", () => link.Down.IsCancellationRequested ? HealthCheckResult.Unhealthy(link.DownReason)
                : link.ReadStatus().Flags.HasFlag(LinkStatusBits.LoopRunning) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("the control loop is not running"));
        builder.Services.AddGrpcReflection();
        var app = builder.Build();
        app.MapGrpcService<TelemetryService>();
        app.MapGrpcService<OverrideService>();
        app.MapGrpcService<ControlService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        await app.StartAsync();
        var server = new RobotServer(app, session);
        server.Address = ListeningAddress.Of(app);
        try
        {
            if (options.MetricsEndpoint() is { } metrics)
            {
                server._metrics = await MetricsServer.StartAsync(session, metrics);
            }
            if (options.FoxgloveEndpoint() is { } foxglove)
            {
                server._foxglove = await FoxgloveServer.StartAsync(session, foxglove);
            }
            if (options.ConsoleEndpoint() is { } console)
            {
                server._console = await ConsoleServer.StartAsync(session, console, certificate);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        link.PublishAddress(server.Address.ToString());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_console is not null)
        {
            await _console.DisposeAsync();
        }
        if (_foxglove is not null)
        {
            await _foxglove.DisposeAsync();
        }
        if (_metrics is not null)
        {
            await _metrics.DisposeAsync();
        }
        _session.Dispose();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}
