using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Controller.Control;
using Robotics.Controller.Gateway;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Remote;
using Robotics.Hardware.Robots;
using Robotics.Controller.Recording;

namespace Robotics.Tests.Support;

/// <summary>
/// A running robot with its gateway on a free loopback port (a real Kestrel server reaching the loop through a real
/// shared-memory link), and clients that talk to it over real HTTP/2. The gateway is hosted in the test's process
/// (tests of it as a process of its own start `controller run`). Disposing stops the server, the loop and the event hub.
/// </summary>
public sealed class RobotHarness : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private readonly LinkSegments _segments;
    private readonly InProcessGateway _gateway;

    private RobotHarness(LinkSegments segments, ControlLoop loop, EventHub hub, ControlPlane plane, InProcessGateway gateway)
    {
        _segments = segments;
        Loop = loop;
        Hub = hub;
        Plane = plane;
        _gateway = gateway;
    }

    public ControlLoop Loop { get; }

    public EventHub Hub { get; }

    public ControlPlane Plane { get; }

    public RobotServer Server => _gateway.Server;

    /// <summary>The loop process's side of the link.</summary>
    public LoopLink LoopSide => _gateway.LoopSide;

    public static async Task<RobotHarness> StartAsync(IRobotHardware robot, LoopOptions options, PolicyRunner? policy = null, IOperator? @operator = null,
        TickRecorder? recorder = null, Func<ServerOptions, ServerOptions>? configure = null)
    {
        var segments = LoopLink.CreateSegments(LinkPaths.Unique(), robot.Description, options, policy);
        var loop = new ControlLoop(robot, options, policy, @operator, recorder, segments);
        var hub = new EventHub(loop);
        var plane = new ControlPlane(loop, hub, recorder);
        var serverOptions = new ServerOptions { Url = new Uri("http://127.0.0.1:0"), Token = Token };
        var gateway = await InProcessGateway.StartAsync(loop, plane, hub, segments, configure?.Invoke(serverOptions) ?? serverOptions);
        loop.Start();
        return new RobotHarness(segments, loop, hub, plane, gateway);
    }

    /// <summary>A channel whose calls carry <paramref name="token"/> (none when null).</summary>
    /// <param name="smallWindow">
    /// HTTP/2's minimum receive window, 64 KB (the test project turns off its dynamic growth), so a client that
    /// stops reading soon stops the server's writes, as a slow network would.
    /// </param>
    public GrpcChannel Channel(string? token = Token, bool smallWindow = false)
    {
        var credentials = token is null ? null : CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(Server.Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = smallWindow ? 65535 : 1 << 20 },
            Credentials = credentials is null ? ChannelCredentials.Insecure : ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
    }

    /// <summary>Waits until <paramref name="condition"/> holds, or fails the test after <paramref name="seconds"/>.</summary>
    public static async Task Eventually(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Loop.RequestStop();
        Loop.WaitForExit();
        await Plane.DisposeAsync();
        Hub.Dispose();
        Loop.Dispose();
        _segments.Dispose();
    }
}
