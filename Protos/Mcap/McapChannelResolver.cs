namespace Robotics.Protos.Mcap;

/// <summary>A channel a recorder writes, with its schema: what recovery checks a damaged file's channels against.</summary>
public sealed record McapKnownChannel(string Topic, string MessageEncoding, string SchemaName, string SchemaEncoding, ReadOnlyMemory<byte> SchemaData);

/// <summary>The schema and channel a recovered file gets for one channel of the damaged file.</summary>
internal sealed record McapChannelDefinition(string Topic, string MessageEncoding, IReadOnlyDictionary<string, string> Metadata, McapSchema? Schema);

/// <summary>
/// Decides what each channel of a damaged file was. Every copy of its Channel and Schema records is weighed (the
/// data section's, a chunk's, the CRC-checked summary's): with the recorder's known channels, a copy that names a
/// known topic, or whose schema names a known message type, identifies the channel for certain, and it is rebuilt
/// from the known definition, so damage is never copied forward; a channel nothing identifies is dropped. Without
/// known channels, the first intact copy is kept as it is.
/// </summary>
internal sealed class McapChannelResolver(IReadOnlyList<McapKnownChannel>? known)
{
    private readonly Dictionary<ushort, List<McapSchema>> _schemas = [];
    private readonly Dictionary<ushort, List<McapChannel>> _channels = [];
    private readonly Dictionary<ushort, McapChannel> _unchecked = [];

    public void Add(McapSchema schema) => Versions(_schemas, schema.Id).Add(schema);

    public void Add(McapChannel channel) => Versions(_channels, channel.Id).Add(channel);

    /// <summary>
    /// A copy from a summary that failed its CRC check: consulted only for a channel with no other copy, and only its
    /// topic, which must name a channel the recorder writes (the channel is then rebuilt from that, as always). A bit
    /// flip that turned the record into another known channel's would have to hit its topic exactly into another name.
    /// </summary>
    public void AddUnchecked(McapChannel channel) => _unchecked.TryAdd(channel.Id, channel);

    /// <summary>The definition for channel <paramref name="id"/>, or null with <paramref name="why"/> it is dropped.</summary>
    /// <param name="note">Set when the channel was rebuilt: what was damaged.</param>
    public McapChannelDefinition? Resolve(ushort id, out string? note, out string? why)
    {
        note = null;
        why = null;
        var copies = _channels.GetValueOrDefault(id) ?? [];
        if (known is null)
        {
            return KeepAsFound(id, copies, ref why);
        }
        foreach (var copy in copies)
        {
            var byTopic = known.FirstOrDefault(k => k.Topic == copy.Topic);
            if (byTopic is not null)
            {
                var schema = SchemaOf(copy).FirstOrDefault(s => Matches(s, byTopic));
                if (schema is null || copy.MessageEncoding != byTopic.MessageEncoding)
                {
                    note = $"channel {id} ({copy.Topic}) has a damaged or missing schema or encoding; rebuilt as {byTopic.SchemaName} ({byTopic.MessageEncoding}) from its topic";
                }
                return Rebuilt(byTopic);
            }
        }
        foreach (var copy in copies)
        {
            var bySchema = SchemaOf(copy).Select(s => known.FirstOrDefault(k => k.SchemaName == s.Name && k.SchemaEncoding == s.Encoding)).FirstOrDefault(k => k is not null);
            if (bySchema is not null && known.Count(k => k.SchemaName == bySchema.SchemaName) == 1)
            {
                note = $"channel {id}'s topic reads '{copy.Topic}', which this recorder never writes; its schema {bySchema.SchemaName} belongs to {bySchema.Topic}, so it was rebuilt as {bySchema.Topic}";
                return Rebuilt(bySchema);
            }
        }
        if (copies.Count == 0 && _unchecked.GetValueOrDefault(id) is { } last && known.FirstOrDefault(k => k.Topic == last.Topic) is { } named)
        {
            note = $"channel {id}'s Channel record is missing or damaged everywhere but in a summary that fails its CRC check; its topic there, {named.Topic}, is one this recorder writes, so it was rebuilt as that";
            return Rebuilt(named);
        }
        why = copies.Count == 0
            ? $"channel {id}'s Channel record is missing or damaged, so what it carried is unknown"
            : $"channel {id} ('{copies[0].Topic}', {SchemaText(copies[0])}) is none of the channels this recorder writes ({string.Join(", ", known.Select(k => k.Topic))}), and nothing in it says which one it was";
        return null;
    }

    private McapChannelDefinition? KeepAsFound(ushort id, List<McapChannel> copies, ref string? why)
    {
        foreach (var copy in copies)
        {
            if (copy.SchemaId == 0)
            {
                return new McapChannelDefinition(copy.Topic, copy.MessageEncoding, copy.Metadata, null);
            }
            var schema = SchemaOf(copy).FirstOrDefault();
            if (schema is not null)
            {
                return new McapChannelDefinition(copy.Topic, copy.MessageEncoding, copy.Metadata, schema);
            }
        }
        why = copies.Count == 0
            ? $"channel {id}'s Channel record is missing or damaged"
            : $"channel {id} ('{copies[0].Topic}') refers to schema {copies[0].SchemaId}, whose Schema record is missing or damaged";
        return null;
    }

    private static McapChannelDefinition Rebuilt(McapKnownChannel channel) => new(
        channel.Topic, channel.MessageEncoding, new Dictionary<string, string>(),
        new McapSchema(0, channel.SchemaName, channel.SchemaEncoding, channel.SchemaData));

    private static bool Matches(McapSchema schema, McapKnownChannel channel) =>
        schema.Name == channel.SchemaName && schema.Encoding == channel.SchemaEncoding && schema.Data.Span.SequenceEqual(channel.SchemaData.Span);

    private List<McapSchema> SchemaOf(McapChannel channel) => _schemas.GetValueOrDefault(channel.SchemaId) ?? [];

    private string SchemaText(McapChannel channel) =>
        SchemaOf(channel).FirstOrDefault() is { } schema ? $"schema '{schema.Name}'" : $"schema {channel.SchemaId}, unreadable";

    private static List<T> Versions<T>(Dictionary<ushort, List<T>> map, ushort id)
    {
        if (!map.TryGetValue(id, out var list))
        {
            list = [];
            map.Add(id, list);
        }
        return list;
    }
}
