using Robotics.Protos;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Controller.Gateway.Foxglove;

/// <summary>
/// What the live server advertises. The steps go on the teleop log's topic with the log's message and schema, so a
/// Foxglove layout made on a recording plots a live robot unchanged; events and status go as the remote interface's
/// Event and Status (robot.proto), the status once a second.
/// </summary>
public static class FoxgloveChannels
{
    private static readonly byte[] RemoteInterface = DescriptorSets.Of(RobotReflection.Descriptor);

    public static FoxgloveChannel Steps { get; } = new(1, TeleopTopics.Step, Step.Descriptor.FullName, TeleopTopics.SchemaData.ToArray());

    public static FoxgloveChannel Events { get; } = new(2, "/events", Event.Descriptor.FullName, RemoteInterface);

    public static FoxgloveChannel Status { get; } = new(3, "/status", Protos.Control.Status.Descriptor.FullName, RemoteInterface);

    public static IReadOnlyList<FoxgloveChannel> All { get; } = [Steps, Events, Status];
}
