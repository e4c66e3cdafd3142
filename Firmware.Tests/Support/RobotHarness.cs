using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Remote;
using Robotics.Hardware.Robots;
using Robotics.Controller.Recording;

namespace Robotics.Tests.Support;

/// <summary>
/// A running robot with its gRPC server on a free loopback port (a real Kestrel server), and clients that
/// talk to it over real HTTP/2. Disposing stops the server, the loop and the event hub.
/// </summary>
public sealed class RobotHarness : IAsyncDisposable
{
    public const string Token = "test-token-0123456789";

    private RobotHarness(ControlLoop loop, EventHub hub, ControlPlane plane, RobotServer server)
    {
        Loop = loop;
        Hub = hub;
        Plane = plane;
        Server = server;
    }

    public ControlLoop Loop { get; }

    public EventHub Hub { get; }

    public ControlPlane Plane { get; }

    public RobotServer Server { get; }

    public static async Task<RobotHarness> StartAsync(IRobotHardware robot, LoopOptions options, PolicyRunner? policy = null, IOperator? @operator = null,
        TickRecorder? recorder = null, Func<ServerOptions, ServerOptions>? configure = null)
    {
        var loop = new ControlLoop(robot, options, policy, @operator, recorder, remoteOperators: true);
        var hub = new EventHub(loop);
        var plane = new ControlPlane(loop, hub, recorder);
        var serverOptions = new ServerOptions { Url = new Uri("http://127.0.0.1:0"), Token = Token };
        var server = await RobotServer.StartAsync(loop, plane, hub, configure?.Invoke(serverOptions) ?? serverOptions);
        loop.Start();
        return new RobotHarness(loop, hub, plane, server);
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
        await Server.DisposeAsync();
        Loop.RequestStop();
        Loop.WaitForExit();
        await Plane.DisposeAsync();
        Hub.Dispose();
        Loop.Dispose();
    }
}
