namespace Robotics.Protos.Mcap;

/// <summary>Record opcodes of the MCAP format (mcap.dev/spec, "Records").</summary>
public enum McapOpcode : byte
{
    Header = 0x01,
    Footer = 0x02,
    Schema = 0x03,
    Channel = 0x04,
    Message = 0x05,
    Chunk = 0x06,
    MessageIndex = 0x07,
    ChunkIndex = 0x08,
    Attachment = 0x09,
    AttachmentIndex = 0x0A,
    Statistics = 0x0B,
    Metadata = 0x0C,
    MetadataIndex = 0x0D,
    SummaryOffset = 0x0E,
    DataEnd = 0x0F,
}

/// <summary>Fixed sizes and byte sequences of the MCAP format (mcap.dev/spec).</summary>
public static class McapLayout
{
    /// <summary>0x89 "MCAP" '0' "\r\n": begins and ends every file; the '0' is the major version.</summary>
    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'M', (byte)'C', (byte)'A', (byte)'P', (byte)'0', (byte)'\r', (byte)'\n'];

    /// <summary>Opcode byte plus the uint64 content length that prefix every record.</summary>
    public const int RecordPrefixLength = 1 + 8;

    /// <summary>Footer content: summary_start u64, summary_offset_start u64, summary_crc u32.</summary>
    public const int FooterContentLength = 8 + 8 + 4;

    /// <summary>Message content before the payload: channel_id u16, sequence u32, log_time u64, publish_time u64.</summary>
    public const int MessageHeaderLength = 2 + 4 + 8 + 8;

    /// <summary>The schema and message encoding of protobuf channels (mcap.dev/spec/registry).</summary>
    public const string ProtobufEncoding = "protobuf";
}
