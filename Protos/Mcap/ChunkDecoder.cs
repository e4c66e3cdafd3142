using System.IO.Hashing;

namespace Robotics.Protos.Mcap;

/// <summary>
/// Decodes one Chunk record (mcap.dev/spec, "Chunk"): checks its sizes, decompresses it, verifies its
/// CRC-32 and parses the schema, channel and message records inside. All or nothing: a chunk that fails any
/// check adds nothing to the directory or the output.
/// </summary>
internal static class ChunkDecoder
{
    /// <param name="content">The Chunk record's content.</param>
    /// <param name="recordOffset">File offset of the Chunk record (its opcode byte).</param>
    public static void Decode(ReadOnlySpan<byte> content, long recordOffset, string path, McapReadOptions options,
        McapDirectory directory, List<McapMessage> output)
    {
        var records = Decompress(content, recordOffset, path, options);
        ParseRecords(records, recordOffset, path, directory, output);
    }

    /// <summary>
    /// Decodes a chunk without checking its records against what came before it, for recovery, which judges
    /// the schemas and channels itself: the chunk's own schemas, channels and messages, in order.
    /// </summary>
    public static (List<McapSchema> Schemas, List<McapChannel> Channels, List<McapMessage> Messages) DecodeRecords(
        ReadOnlySpan<byte> content, long recordOffset, string path, McapReadOptions options)
    {
        var records = Decompress(content, recordOffset, path, options);
        var result = (new List<McapSchema>(), new List<McapChannel>(), new List<McapMessage>());
        ForEachRecord(records, recordOffset, path, result.Item1.Add, result.Item2.Add, result.Item3.Add);
        return result;
    }

    /// <summary>Checks sizes, decompresses and verifies the CRC; returns the chunk's uncompressed records.</summary>
    private static byte[] Decompress(ReadOnlySpan<byte> content, long recordOffset, string path, McapReadOptions options)
    {
        var fields = new FieldReader(content, recordOffset + McapLayout.RecordPrefixLength, path, "Chunk");
        fields.ReadUInt64("message_start_time");
        fields.ReadUInt64("message_end_time");
        ulong uncompressedSize = fields.ReadUInt64("uncompressed_size");
        uint expectedCrc = fields.ReadUInt32("uncompressed_crc");
        string compressionName = fields.ReadString("compression");
        long recordsOffset = fields.FileOffset;
        var compressed = fields.ReadPrefixed64("records");

        if (!McapCompressionNames.TryParseRecordName(compressionName, out var compression))
        {
            throw new McapFormatException(path, recordOffset, $"chunk uses compression '{compressionName}', which this reader does not support (zstd, lz4 or none)");
        }
        if (uncompressedSize > (ulong)options.MaxChunkUncompressedBytes)
        {
            throw new McapFormatException(path, recordOffset, $"chunk declares {uncompressedSize} uncompressed bytes, more than the {options.MaxChunkUncompressedBytes} this reader accepts");
        }
        byte[]? records = ChunkDecompressor.TryDecompress(compression, compressed, (int)uncompressedSize, out string? problem);
        if (records is null)
        {
            throw new McapFormatException(path, recordsOffset, problem!);
        }
        if (expectedCrc != 0)
        {
            uint actualCrc = Crc32.HashToUInt32(records);
            if (actualCrc != expectedCrc)
            {
                throw new McapFormatException(path, recordOffset, $"chunk fails its CRC-32 check (stored 0x{expectedCrc:X8}, computed 0x{actualCrc:X8})");
            }
        }
        return records;
    }

    private static void ParseRecords(byte[] records, long chunkOffset, string path, McapDirectory directory, List<McapMessage> output)
    {
        // Staged so that a chunk failing half-way leaves the directory and output untouched.
        var schemas = new List<McapSchema>();
        var channels = new List<McapChannel>();
        var messages = new List<McapMessage>();
        var staged = new McapDirectory();
        foreach (var schema in directory.Schemas.Values)
        {
            staged.Add(schema, chunkOffset, path);
        }
        foreach (var channel in directory.Channels.Values)
        {
            staged.Add(channel, chunkOffset, path);
        }

        ForEachRecord(records, chunkOffset, path,
            schema =>
            {
                staged.Add(schema, chunkOffset, path);
                schemas.Add(schema);
            },
            channel =>
            {
                staged.Add(channel, chunkOffset, path);
                channels.Add(channel);
            },
            message =>
            {
                if (!staged.HasChannel(message.ChannelId))
                {
                    throw new McapFormatException(path, chunkOffset, $"a message in the chunk refers to channel {message.ChannelId}, which is not defined before it");
                }
                messages.Add(message);
            });

        foreach (var schema in schemas)
        {
            directory.Add(schema, chunkOffset, path);
        }
        foreach (var channel in channels)
        {
            directory.Add(channel, chunkOffset, path);
        }
        output.AddRange(messages);
    }

    private static void ForEachRecord(byte[] records, long chunkOffset, string path,
        Action<McapSchema> onSchema, Action<McapChannel> onChannel, Action<McapMessage> onMessage)
    {
        int position = 0;
        while (position < records.Length)
        {
            var prefix = new FieldReader(records.AsSpan(position), chunkOffset, path, "chunk's inner");
            byte opcode = prefix.ReadByte("opcode");
            ulong length = prefix.ReadUInt64("length");
            int contentStart = position + McapLayout.RecordPrefixLength;
            if (length > (ulong)(records.Length - contentStart))
            {
                throw new McapFormatException(path, chunkOffset, $"a {McapRecordParser.OpcodeName(opcode)} record at byte {position} of the chunk's data declares {length} bytes but only {records.Length - contentStart} remain");
            }
            var content = new ReadOnlyMemory<byte>(records, contentStart, (int)length);
            switch ((McapOpcode)opcode)
            {
                case McapOpcode.Schema:
                    var schema = new FieldReader(content.Span, chunkOffset, path, "Schema");
                    onSchema(McapRecordParser.ParseSchema(ref schema));
                    break;
                case McapOpcode.Channel:
                    var channel = new FieldReader(content.Span, chunkOffset, path, "Channel");
                    onChannel(McapRecordParser.ParseChannel(ref channel));
                    break;
                case McapOpcode.Message:
                    onMessage(McapRecordParser.ParseMessage(content, chunkOffset, chunkOffset, path));
                    break;
                default:
                    throw new McapFormatException(path, chunkOffset, $"a {McapRecordParser.OpcodeName(opcode)} record is not allowed inside a chunk (only Schema, Channel and Message)");
            }
            position = contentStart + (int)length;
        }
    }
}
