using System.Buffers;
using System.Text.Json;
using Google.Protobuf;

namespace Robotics.Controller.Gateway.OperatorConsole;

/// <summary>
/// The console's messages: JSON objects with an "op", carrying the robot's protobuf messages in protobuf's own JSON
/// mapping (field names in lowerCamelCase, enums by name, 64-bit integers as strings), so the page reads the same
/// messages a gRPC client does with no protobuf library of its own.
/// </summary>
internal static class ConsoleJson
{
    // Every field written, defaults too: the page reads a missing 0 or false the same as a present one.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    // An unknown field is refused, not dropped: a misspelt one must not silently do nothing.
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    /// <summary>{"op": op, name: message}, and any further properties.</summary>
    public static byte[] Message(string op, string? name = null, IMessage? message = null, Action<Utf8JsonWriter>? more = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("op", op);
            if (name is not null && message is not null)
            {
                json.WritePropertyName(name);
                json.WriteRawValue(Formatter.Format(message), skipInputValidation: true);
            }
            more?.Invoke(json);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>{"op": op, "code": the gRPC status code's name, "message": ...}, and any further properties.</summary>
    public static byte[] Error(string op, Grpc.Core.StatusCode code, string message, Action<Utf8JsonWriter>? more = null) => Message(op, more: json =>
    {
        json.WriteString("code", code.ToString());
        json.WriteString("message", message);
        more?.Invoke(json);
    });

    /// <summary>A protobuf message of <paramref name="descriptor"/>'s type from its JSON form; left out, the message with every field at its default.</summary>
    public static IMessage Parse(JsonElement? json, Google.Protobuf.Reflection.MessageDescriptor descriptor) => Parser.Parse(json?.GetRawText() ?? "{}", descriptor);
}
