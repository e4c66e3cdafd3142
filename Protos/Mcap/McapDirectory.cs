namespace Robotics.Protos.Mcap;

/// <summary>The schemas and channels a reader has met so far, checked as the spec requires.</summary>
internal sealed class McapDirectory
{
    private readonly Dictionary<ushort, McapSchema> _schemas = [];
    private readonly Dictionary<ushort, McapChannel> _channels = [];

    public IReadOnlyDictionary<ushort, McapSchema> Schemas => _schemas;

    public IReadOnlyDictionary<ushort, McapChannel> Channels => _channels;

    /// <summary>Adds a schema; an id of zero is ignored (mcap.dev/spec, "Schema"); a redefinition must be identical.</summary>
    public void Add(McapSchema schema, long offset, string path)
    {
        if (schema.Id == 0)
        {
            return;
        }
        if (_schemas.TryGetValue(schema.Id, out var known))
        {
            if (!SameSchema(known, schema))
            {
                throw new McapFormatException(path, offset, $"schema {schema.Id} is defined twice, differently ('{known.Name}' and '{schema.Name}')");
            }
            return;
        }
        _schemas.Add(schema.Id, schema);
    }

    /// <summary>Adds a channel, whose schema must be known (or zero, for none); a redefinition must be identical.</summary>
    public void Add(McapChannel channel, long offset, string path)
    {
        if (channel.SchemaId != 0 && !_schemas.ContainsKey(channel.SchemaId))
        {
            throw new McapFormatException(path, offset, $"channel {channel.Id} ('{channel.Topic}') refers to schema {channel.SchemaId}, which is not defined before it");
        }
        if (_channels.TryGetValue(channel.Id, out var known))
        {
            if (!SameChannel(known, channel))
            {
                throw new McapFormatException(path, offset, $"channel {channel.Id} is defined twice, differently ('{known.Topic}' and '{channel.Topic}')");
            }
            return;
        }
        _channels.Add(channel.Id, channel);
    }

    public bool HasChannel(ushort id) => _channels.ContainsKey(id);

    private static bool SameSchema(McapSchema a, McapSchema b) =>
        a.Name == b.Name && a.Encoding == b.Encoding && a.Data.Span.SequenceEqual(b.Data.Span);

    private static bool SameChannel(McapChannel a, McapChannel b) =>
        a.SchemaId == b.SchemaId && a.Topic == b.Topic && a.MessageEncoding == b.MessageEncoding &&
        a.Metadata.Count == b.Metadata.Count &&
        a.Metadata.All(pair => b.Metadata.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
