using System.Buffers.Binary;
using System.Text;

namespace Robotics.Protos.Mcap;

/// <summary>
/// A growable byte buffer that serializes MCAP primitives (little-endian integers, uint32-prefixed strings,
/// maps) and whole records. Reused between records and chunks, so steady-state writing does not allocate.
/// </summary>
internal sealed class RecordBuffer
{
    private byte[] _bytes;

    public RecordBuffer(int initialCapacity) => _bytes = new byte[Math.Max(initialCapacity, 64)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _bytes.AsSpan(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Reserves <paramref name="count"/> bytes at the end and returns them for the caller to fill.</summary>
    public Span<byte> Append(int count)
    {
        EnsureCapacity(Length + count);
        var span = _bytes.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public void WriteByte(byte value) => Append(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Append(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Append(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Append(8), value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Append(bytes.Length));

    /// <summary>MCAP String: uint32 byte length, then UTF-8.</summary>
    public void WriteString(string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)byteCount);
        Encoding.UTF8.GetBytes(value, Append(byteCount));
    }

    /// <summary>MCAP Map&lt;string, string&gt;: uint32 byte length of the entries, then key/value pairs.</summary>
    public void WriteStringMap(IEnumerable<KeyValuePair<string, string>> map)
    {
        int lengthAt = Length;
        WriteUInt32(0);
        foreach (var (key, value) in map.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            WriteString(key);
            WriteString(value);
        }
        PatchUInt32(lengthAt, (uint)(Length - lengthAt - 4));
    }

    /// <summary>MCAP Map&lt;uint16, uint64&gt;: uint32 byte length, then channel id / value pairs.</summary>
    public void WriteChannelMap(IEnumerable<KeyValuePair<ushort, ulong>> map)
    {
        int lengthAt = Length;
        WriteUInt32(0);
        foreach (var (key, value) in map)
        {
            WriteUInt16(key);
            WriteUInt64(value);
        }
        PatchUInt32(lengthAt, (uint)(Length - lengthAt - 4));
    }

    /// <summary>Writes a record's opcode and a placeholder length; returns the position to pass to <see cref="EndRecord"/>.</summary>
    public int BeginRecord(McapOpcode opcode)
    {
        WriteByte((byte)opcode);
        int lengthAt = Length;
        WriteUInt64(0);
        return lengthAt;
    }

    /// <summary>Patches the content length of the record begun at <paramref name="lengthAt"/>.</summary>
    public void EndRecord(int lengthAt) => PatchUInt64(lengthAt, (ulong)(Length - lengthAt - 8));

    public void PatchUInt64(int at, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(_bytes.AsSpan(at, 8), value);

    public void PatchUInt32(int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(at, 4), value);

    private void EnsureCapacity(int needed)
    {
        if (needed <= _bytes.Length)
        {
            return;
        }
        Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
    }
}
