using System.Buffers.Binary;
using System.Text;

namespace Robotics.Protos.Mcap;

/// <summary>
/// Reads the fields of one record's content (mcap.dev/spec, "Serialization"), checking every length against
/// what is left, so a damaged record is reported with the file offset of the field that does not fit.
/// </summary>
internal ref struct FieldReader
{
    private readonly ReadOnlySpan<byte> _content;
    private readonly long _contentOffset;
    private readonly string _path;
    private readonly string _record;
    private int _position;

    /// <param name="content">The record's content, after its opcode and length.</param>
    /// <param name="contentOffset">File offset of <paramref name="content"/>'s first byte.</param>
    /// <param name="path">The file, for error messages.</param>
    /// <param name="record">The record's name, for error messages.</param>
    public FieldReader(ReadOnlySpan<byte> content, long contentOffset, string path, string record)
    {
        _content = content;
        _contentOffset = contentOffset;
        _path = path;
        _record = record;
    }

    public readonly int Remaining => _content.Length - _position;

    public readonly long FileOffset => _contentOffset + _position;

    public byte ReadByte(string field) => Take(1, field)[0];

    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));

    /// <summary>String: uint32 byte length, then UTF-8.</summary>
    public string ReadString(string field) => Encoding.UTF8.GetString(ReadPrefixed32(field));

    /// <summary>uint32 length-prefixed bytes.</summary>
    public ReadOnlySpan<byte> ReadPrefixed32(string field)
    {
        uint length = ReadUInt32(field);
        return Take(length, field);
    }

    /// <summary>uint64 length-prefixed bytes.</summary>
    public ReadOnlySpan<byte> ReadPrefixed64(string field)
    {
        ulong length = ReadUInt64(field);
        return Take(length, field);
    }

    /// <summary>Map&lt;string, string&gt;.</summary>
    public Dictionary<string, string> ReadStringMap(string field)
    {
        long mapOffset = FileOffset;
        var entries = new FieldReader(ReadPrefixed32(field), mapOffset + 4, _path, _record);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (entries.Remaining > 0)
        {
            string key = entries.ReadString(field + " key");
            map[key] = entries.ReadString(field + " value");
        }
        return map;
    }

    /// <summary>Map&lt;uint16, uint64&gt; (channel id to count or offset).</summary>
    public Dictionary<ushort, ulong> ReadChannelMap(string field)
    {
        long mapOffset = FileOffset;
        var entries = new FieldReader(ReadPrefixed32(field), mapOffset + 4, _path, _record);
        var map = new Dictionary<ushort, ulong>();
        while (entries.Remaining > 0)
        {
            ushort key = entries.ReadUInt16(field + " key");
            map[key] = entries.ReadUInt64(field + " value");
        }
        return map;
    }

    /// <summary>The rest of the content.</summary>
    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _content[_position..];
        _position = _content.Length;
        return rest;
    }

    /// <summary>Returns a reader over the next <paramref name="length"/> bytes and skips them here.</summary>
    public FieldReader Slice(int length, string field)
    {
        long offset = FileOffset;
        return new FieldReader(Take((ulong)length, field), offset, _path, _record);
    }

    private ReadOnlySpan<byte> Take(ulong count, string field)
    {
        if (count > (ulong)Remaining)
        {
            throw new McapFormatException(_path, FileOffset,
                $"{_record} record's {field} needs {count} bytes but only {Remaining} remain in the record");
        }
        var span = _content.Slice(_position, (int)count);
        _position += (int)count;
        return span;
    }
}
