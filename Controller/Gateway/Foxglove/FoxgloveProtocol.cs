using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Robotics.Controller.Gateway.Foxglove;

/// <summary>
/// Foxglove's WebSocket protocol, as far as a server that only publishes speaks it (github.com/foxglove/ws-protocol,
/// docs/spec.md at 8e2a044^; foxglove-sdk rust/foxglove/src/protocol/v1): JSON text messages with an "op" field, and
/// binary message data. <c>foxglove.sdk.v1</c> (the Foxglove SDK and today's app) and <c>foxglove.websocket.v1</c>
/// (older apps and the ws-protocol libraries) are the same on the wire for everything here; only the name differs.
/// </summary>
public static class FoxgloveProtocol
{
    public const string SdkSubprotocol = "foxglove.sdk.v1";
    public const string WebSocketSubprotocol = "foxglove.websocket.v1";

    /// <summary>Binary opcode of Message Data: u8 opcode, u32 subscription id, u64 log time in ns, payload; little-endian.</summary>
    public const byte MessageDataOpcode = 0x01;

    /// <summary>Bytes before a message's payload.</summary>
    public const int MessageDataHeader = 1 + 4 + 8;

    /// <summary>The status levels of a warning and an error (the spec's StatusLevel: 0 info, 1 warning, 2 error).</summary>
    public const int Warning = 1, Error = 2;

    /// <summary>The subprotocol to answer with: the newer one when offered, else the older; null when the client offered neither.</summary>
    public static string? Choose(IList<string> offered) =>
        offered.Contains(SdkSubprotocol) ? SdkSubprotocol : offered.Contains(WebSocketSubprotocol) ? WebSocketSubprotocol : null;

    /// <summary>Writes Message Data's header into the first <see cref="MessageDataHeader"/> bytes of <paramref name="frame"/>.</summary>
    public static void WriteMessageDataHeader(Span<byte> frame, uint subscriptionId, ulong logTimeNs)
    {
        frame[0] = MessageDataOpcode;
        BinaryPrimitives.WriteUInt32LittleEndian(frame[1..], subscriptionId);
        BinaryPrimitives.WriteUInt64LittleEndian(frame[5..], logTimeNs);
    }

    /// <summary>serverInfo: the first message on every connection. No capabilities: this server only publishes.</summary>
    public static byte[] ServerInfo(string name, string sessionId) => Json(json =>
    {
        json.WriteString("op", "serverInfo");
        json.WriteString("name", name);
        json.WriteStartArray("capabilities");
        json.WriteEndArray();
        json.WriteString("sessionId", sessionId);
    });

    /// <summary>advertise: the channels a client may subscribe to; a protobuf schema goes as base64 of its FileDescriptorSet.</summary>
    public static byte[] Advertise(IEnumerable<FoxgloveChannel> channels) => Json(json =>
    {
        json.WriteString("op", "advertise");
        json.WriteStartArray("channels");
        foreach (var channel in channels)
        {
            json.WriteStartObject();
            json.WriteNumber("id", channel.Id);
            json.WriteString("topic", channel.Topic);
            json.WriteString("encoding", "protobuf");
            json.WriteString("schemaName", channel.SchemaName);
            json.WriteString("schemaEncoding", "protobuf");
            json.WriteBase64String("schema", channel.Schema);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    });

    /// <summary>
    /// status: a problem the app shows its user (a bad request, the robot gone). A status with an id replaces the
    /// client's earlier status of that id, so a condition that persists is one line that updates, not a flood.
    /// </summary>
    public static byte[] Status(int level, string message, string? id = null) => Json(json =>
    {
        json.WriteString("op", "status");
        json.WriteNumber("level", level);
        json.WriteString("message", message);
        if (id is not null)
        {
            json.WriteString("id", id);
        }
    });

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>One advertised channel: a topic and the protobuf message type it carries.</summary>
public sealed record FoxgloveChannel(uint Id, string Topic, string SchemaName, byte[] Schema);
