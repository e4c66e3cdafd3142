using Robotics.Controller.Control;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Gateway;

/// <summary>
/// A loop's gRPC server in the loop's own process, reached through the same link a gateway process uses (the loop's
/// <see cref="LoopLink"/> on one side, a <see cref="GatewayLink"/> and the <see cref="RobotServer"/> on the other): for
/// simulations (the trainer's DAgger rounds) and tests, where nothing on the robot's real-time path is at stake. A
/// robot runs its gateway in a process of its own (<c>controller run --grpc</c>).
/// </summary>
public sealed class InProcessGateway : IAsyncDisposable
{
    private readonly LoopLink _loopLink;
    private readonly GatewayLink _gatewayLink;

    private InProcessGateway(LoopLink loopLink, GatewayLink gatewayLink, RobotServer server)
    {
        _loopLink = loopLink;
        _gatewayLink = gatewayLink;
        Server = server;
    }

    public RobotServer Server { get; }

    /// <summary>The loop process's side of the link (its refusals, for tests).</summary>
    public LoopLink LoopSide => _loopLink;

    /// <summary>Serves <paramref name="loop"/> (made with <paramref name="segments"/>) before its first tick.</summary>
    public static async Task<InProcessGateway> StartAsync(ControlLoop loop, ControlPlane plane, EventHub hub, LinkSegments segments, ServerOptions options)
    {
        var loopLink = new LoopLink(loop, plane, hub, segments);
        var gatewayLink = GatewayLink.Attach(segments);
        try
        {
            return new InProcessGateway(loopLink, gatewayLink, await RobotServer.StartAsync(gatewayLink, options));
        }
        catch
        {
            gatewayLink.Dispose();
            loopLink.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _gatewayLink.Dispose();
        _loopLink.Dispose();
    }
}
