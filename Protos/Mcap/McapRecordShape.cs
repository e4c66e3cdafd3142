namespace Robotics.Protos.Mcap;

/// <summary>
/// Whether a record's content has exactly the fields its opcode defines (mcap.dev/spec, "Records"): how a scan
/// of a damaged file tells a record it can trust from bytes that only happen to follow an opcode.
/// </summary>
internal static class McapRecordShape
{
    public static bool IsWellFormed(byte opcode, ReadOnlySpan<byte> content, string path)
    {
        var fields = new FieldReader(content, 0, path, McapRecordParser.OpcodeName(opcode));
        try
        {
            switch ((McapOpcode)opcode)
            {
                case McapOpcode.Header:
                    fields.ReadString("profile");
                    fields.ReadString("library");
                    break;
                case McapOpcode.Footer:
                    return content.Length == McapLayout.FooterContentLength;
                case McapOpcode.Schema:
                    McapRecordParser.ParseSchema(ref fields);
                    break;
                case McapOpcode.Channel:
                    McapRecordParser.ParseChannel(ref fields);
                    break;
                case McapOpcode.Message:
                    return content.Length >= McapLayout.MessageHeaderLength;
                case McapOpcode.MessageIndex:
                    fields.ReadUInt16("channel_id");
                    if (fields.ReadPrefixed32("records").Length % 16 != 0)
                    {
                        return false;
                    }
                    break;
                case McapOpcode.ChunkIndex:
                    McapRecordParser.ParseChunkIndex(ref fields);
                    break;
                case McapOpcode.Attachment:
                    fields.ReadUInt64("log_time");
                    fields.ReadUInt64("create_time");
                    fields.ReadString("name");
                    fields.ReadString("media_type");
                    fields.ReadPrefixed64("data");
                    fields.ReadUInt32("crc");
                    break;
                case McapOpcode.AttachmentIndex:
                    for (int i = 0; i < 5; i++)
                    {
                        fields.ReadUInt64("offset, length, times and size");
                    }
                    fields.ReadString("name");
                    fields.ReadString("media_type");
                    break;
                case McapOpcode.Statistics:
                    McapRecordParser.ParseStatistics(ref fields);
                    break;
                case McapOpcode.Metadata:
                    McapRecordParser.ParseMetadata(ref fields);
                    break;
                case McapOpcode.MetadataIndex:
                    fields.ReadUInt64("offset");
                    fields.ReadUInt64("length");
                    fields.ReadString("name");
                    break;
                case McapOpcode.SummaryOffset:
                    return content.Length == 1 + 8 + 8;
                case McapOpcode.DataEnd:
                    return content.Length == 4;
                default:
                    // 0x80-0xFF are private records (mcap.dev/spec, "Opcodes"), which readers skip; anything else
                    // in 0x00-0x7F is not a record this version of the format defines.
                    return opcode >= 0x80;
            }
            return fields.Remaining == 0;
        }
        catch (McapFormatException)
        {
            return false;
        }
    }
}
