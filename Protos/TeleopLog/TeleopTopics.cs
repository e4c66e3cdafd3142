using System.Globalization;
using Google.Protobuf.Reflection;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;

namespace Robotics.Protos.TeleopLog;

/// <summary>
/// The teleop log's layout inside MCAP: one channel per message type, protobuf-encoded, each with a
/// schema whose data is a FileDescriptorSet of teleop_log.proto (mcap.dev/spec/registry, "protobuf"),
/// plus one Metadata record written on close.
/// </summary>
public static class TeleopTopics
{
    public const string EpisodeStart = "/episode/start";
    public const string Step = "/step";
    public const string EpisodeEnd = "/episode/end";
    public const string RecorderStatus = "/recorder/status";

    /// <summary>Name of the Metadata record the writer adds on close.</summary>
    public const string MetadataName = "teleop_log";

    /// <summary>Metadata key: steps dropped because the recorder's buffer was full.</summary>
    public const string DroppedStepsKey = "dropped_steps";

    /// <summary>Metadata key: episode start/end records dropped because the recorder's buffer was full.</summary>
    public const string DroppedEventsKey = "dropped_events";

    /// <summary>Metadata key: the robot recorded, as named in its config (a log without episodes names it nowhere else).</summary>
    public const string RobotKey = "robot";

    /// <summary>
    /// What is wrong with a metadata record the writer adds, or null: its counts must be counts. A metadata record sits
    /// outside the chunks, under no CRC, so a damaged one can look whole; the reader refuses it and recovery leaves it out.
    /// </summary>
    public static string? MetadataProblem(McapMetadata metadata)
    {
        if (metadata.Name != MetadataName)
        {
            return null;
        }
        foreach (string key in new[] { DroppedStepsKey, DroppedEventsKey })
        {
            if (metadata.Values.TryGetValue(key, out string? text) && !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return $"the {metadata.Name} metadata's {key} is '{text}', not a count";
            }
        }
        return null;
    }

    /// <summary>Each topic's message type, in the order the writer declares its channels.</summary>
    public static IReadOnlyList<(string Topic, MessageDescriptor Descriptor)> All { get; } =
    [
        (EpisodeStart, Log.EpisodeStart.Descriptor),
        (Step, Log.Step.Descriptor),
        (EpisodeEnd, Log.EpisodeEnd.Descriptor),
        (RecorderStatus, Log.RecorderStatus.Descriptor),
    ];

    private static readonly Lazy<byte[]> SchemaDataBytes = new(() => DescriptorSets.Of(TeleopLogReflection.Descriptor));

    /// <summary>
    /// The schema data for every channel: a serialized FileDescriptorSet holding teleop_log.proto and
    /// everything it imports, dependencies first, as protobuf readers expect.
    /// </summary>
    public static ReadOnlySpan<byte> SchemaData => SchemaDataBytes.Value;

    /// <summary>Every channel as the writer declares it: what <c>trainer log recover</c> checks a damaged log's channels against.</summary>
    public static IReadOnlyList<McapKnownChannel> KnownChannels { get; } =
    [
        .. All.Select(pair => new McapKnownChannel(pair.Topic, McapLayout.ProtobufEncoding, pair.Descriptor.FullName, McapLayout.ProtobufEncoding, SchemaDataBytes.Value)),
    ];
}
