namespace Robotics.Protos.Mcap;

/// <summary>Parses record contents into the record types, following the field tables of mcap.dev/spec.</summary>
internal static class McapRecordParser
{
    public static McapSchema ParseSchema(ref FieldReader fields)
    {
        ushort id = fields.ReadUInt16("id");
        string name = fields.ReadString("name");
        string encoding = fields.ReadString("encoding");
        byte[] data = fields.ReadPrefixed32("data").ToArray();
        return new McapSchema(id, name, encoding, data);
    }

    public static McapChannel ParseChannel(ref FieldReader fields)
    {
        ushort id = fields.ReadUInt16("id");
        ushort schemaId = fields.ReadUInt16("schema_id");
        string topic = fields.ReadString("topic");
        string encoding = fields.ReadString("message_encoding");
        var metadata = fields.ReadStringMap("metadata");
        return new McapChannel(id, schemaId, topic, encoding, metadata);
    }

    /// <param name="content">The record content, as memory so the payload is sliced rather than copied.</param>
    /// <param name="contentOffset">File offset of the content (or of the chunk, for messages inside one).</param>
    /// <param name="reportOffset">Offset to attach to the message for later error reports.</param>
    public static McapMessage ParseMessage(ReadOnlyMemory<byte> content, long contentOffset, long reportOffset, string path)
    {
        var fields = new FieldReader(content.Span, contentOffset, path, "Message");
        ushort channelId = fields.ReadUInt16("channel_id");
        uint sequence = fields.ReadUInt32("sequence");
        ulong logTime = fields.ReadUInt64("log_time");
        ulong publishTime = fields.ReadUInt64("publish_time");
        return new McapMessage(channelId, sequence, logTime, publishTime, content[McapLayout.MessageHeaderLength..], reportOffset);
    }

    public static McapMetadata ParseMetadata(ref FieldReader fields)
    {
        string name = fields.ReadString("name");
        return new McapMetadata(name, fields.ReadStringMap("metadata"));
    }

    public static McapChunkIndex ParseChunkIndex(ref FieldReader fields)
    {
        ulong start = fields.ReadUInt64("message_start_time");
        ulong end = fields.ReadUInt64("message_end_time");
        ulong chunkOffset = fields.ReadUInt64("chunk_start_offset");
        ulong chunkLength = fields.ReadUInt64("chunk_length");
        var offsets = fields.ReadChannelMap("message_index_offsets");
        ulong indexLength = fields.ReadUInt64("message_index_length");
        string compression = fields.ReadString("compression");
        ulong compressedSize = fields.ReadUInt64("compressed_size");
        ulong uncompressedSize = fields.ReadUInt64("uncompressed_size");
        return new McapChunkIndex(start, end, chunkOffset, chunkLength, offsets, indexLength, compression, compressedSize, uncompressedSize);
    }

    public static McapStatistics ParseStatistics(ref FieldReader fields)
    {
        ulong messageCount = fields.ReadUInt64("message_count");
        ushort schemaCount = fields.ReadUInt16("schema_count");
        uint channelCount = fields.ReadUInt32("channel_count");
        uint attachmentCount = fields.ReadUInt32("attachment_count");
        uint metadataCount = fields.ReadUInt32("metadata_count");
        uint chunkCount = fields.ReadUInt32("chunk_count");
        ulong start = fields.ReadUInt64("message_start_time");
        ulong end = fields.ReadUInt64("message_end_time");
        var counts = fields.ReadChannelMap("channel_message_counts");
        return new McapStatistics(messageCount, schemaCount, channelCount, attachmentCount, metadataCount, chunkCount, start, end, counts);
    }

    public static string OpcodeName(byte opcode) =>
        Enum.IsDefined(typeof(McapOpcode), opcode) ? ((McapOpcode)opcode).ToString() : $"unknown (0x{opcode:X2})";
}
