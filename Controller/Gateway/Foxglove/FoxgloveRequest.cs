using System.Text.Json;

namespace Robotics.Controller.Gateway.Foxglove;

/// <summary>What a client asked for in one text message: subscriptions to add, subscriptions to end, or something this server refuses (with why).</summary>
public sealed record FoxgloveRequest(IReadOnlyList<(uint Id, uint ChannelId)> Subscribe, IReadOnlyList<uint> Unsubscribe, string? Refusal)
{
    /// <summary>
    /// Reads a client's JSON message. subscribe and unsubscribe are served; every other op the spec has is for a
    /// capability this server does not declare (publishing, parameters, services), and is refused by name.
    /// </summary>
    public static FoxgloveRequest Parse(ReadOnlySpan<byte> text)
    {
        try
        {
            using var document = JsonDocument.Parse(text.ToArray());
            var root = document.RootElement;
            string? op = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("op", out var opValue) && opValue.ValueKind == JsonValueKind.String
                ? opValue.GetString() : null;
            return op switch
            {
                "subscribe" => new([.. Array(root, "subscriptions").Select(s => (Number(s, "id"), Number(s, "channelId")))], [], null),
                "unsubscribe" => new([], [.. Array(root, "subscriptionIds").Select(id => id.GetUInt32())], null),
                null => Refused("Invalid message: no \"op\""),
                _ => Refused($"Server does not support \"{op}\": it only publishes (subscribe and unsubscribe)"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return Refused($"Invalid message: {e.Message}");
        }
    }

    private static FoxgloveRequest Refused(string why) => new([], [], why);

    private static JsonElement.ArrayEnumerator Array(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray()
            : throw new KeyNotFoundException($"\"{name}\" must be an array");

    private static uint Number(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.GetUInt32() : throw new KeyNotFoundException($"a subscription needs \"{name}\"");
}
