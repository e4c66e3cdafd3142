using Robotics.Controller.Control;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Recording;
using Robotics.Controller.Shared;
using Robotics.Hardware.Robots;
using Robotics.Protos;

namespace Robotics.Tests.Support;

/// <summary>
/// A running loop with its side of a real shared-memory link and no gateway: the test plays the gateway, writing into
/// the gateway's segment itself (well or badly).
/// </summary>
public sealed class LinkedLoop : IAsyncDisposable
{
    private LinkedLoop(LinkSegments segments, ControlLoop loop, EventHub hub, ControlPlane plane, LoopLink link)
    {
        Segments = segments;
        Loop = loop;
        Hub = hub;
        Plane = plane;
        Link = link;
    }

    public LinkSegments Segments { get; }

    public ControlLoop Loop { get; }

    public EventHub Hub { get; }

    public ControlPlane Plane { get; }

    public LoopLink Link { get; }

    /// <param name="groupId">The group given the gateway's access (<see cref="LinkAccess"/>); null for the test's user alone.</param>
    public static LinkedLoop Start(IRobotHardware robot, LoopOptions options, IOperator? @operator = null, PolicyRunner? policy = null, TickRecorder? recorder = null,
        int? groupId = null)
    {
        var segments = LoopLink.CreateSegments(LinkPaths.Unique(), robot.Description, options, policy, groupId);
        var loop = new ControlLoop(robot, options, policy, @operator, recorder, segments);
        var hub = new EventHub(loop);
        var plane = new ControlPlane(loop, hub);
        var link = new LoopLink(loop, plane, hub, segments);
        loop.Start();
        return new LinkedLoop(segments, loop, hub, plane, link);
    }

    /// <summary>The operator's command cell, as the gateway writes it.</summary>
    public SharedCell<LinkCommand> CommandCell() =>
        new(Segments.Gateway.Slice(LinkGeometry.Command, SharedCell.BytesFor<LinkCommand>(Loop.Hardware.Description.Actions.Count)), Loop.Hardware.Description.Actions.Count);

    /// <summary>Beats the gateway's heartbeat, as a live gateway does, until disposed (a silent gateway loses the lease).</summary>
    public IDisposable BeatHeartbeat()
    {
        // The first beat now, before the test takes a lease: the loop must not find the gateway silent in between.
        Volatile.Write(ref Segments.Presence.HeartbeatNs, MonotonicClock.NowNs());
        return new Timer(_ => Volatile.Write(ref Segments.Presence.HeartbeatNs, MonotonicClock.NowNs()), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        Loop.RequestStop();
        Loop.WaitForExit();
        Link.Dispose();
        await Plane.DisposeAsync();
        Hub.Dispose();
        Loop.Dispose();
        Segments.Dispose();
    }
}
