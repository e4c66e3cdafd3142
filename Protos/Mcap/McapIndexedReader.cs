using System.Buffers.Binary;
using System.IO.Hashing;

namespace Robotics.Protos.Mcap;

/// <summary>
/// Reads a closed MCAP file through its summary: footer, then schemas, channels, statistics and the chunk
/// index, then each chunk by offset. Fast and seekable, but needs a file that was closed properly; a cut
/// recording is read with <see cref="McapSequentialReader"/>.
/// </summary>
/// <remarks>Owns and disposes the stream.</remarks>
public sealed class McapIndexedReader : IMcapMessageSource
{
    private readonly Stream _stream;
    private readonly McapReadOptions _options;
    private readonly McapDirectory _directory = new();
    private readonly List<McapChunkIndex> _chunkIndexes = [];
    private readonly List<McapMetadata> _metadata = [];
    private readonly List<McapIssue> _issues = [];
    private long _dataEnd;

    private McapIndexedReader(Stream stream, string path, McapReadOptions options)
    {
        _stream = stream;
        Path = path;
        _options = options;
    }

    public string Path { get; }

    public IReadOnlyDictionary<ushort, McapSchema> Schemas => _directory.Schemas;

    public IReadOnlyDictionary<ushort, McapChannel> Channels => _directory.Channels;

    public IReadOnlyList<McapMetadata> Metadata => _metadata;

    public IReadOnlyList<McapIssue> Issues => _issues;

    /// <summary>The Statistics record, when the summary has one.</summary>
    public McapStatistics? Statistics { get; private set; }

    /// <summary>
    /// True when the summary indexes chunks and, where it counts them, all of them. Files from other writers may
    /// have no chunk index, or no chunks (messages outside chunks), which only a sequential read sees.
    /// </summary>
    public bool IndexesEveryChunk => _chunkIndexes.Count > 0 && (Statistics is null || Statistics.ChunkCount == _chunkIndexes.Count);

    /// <summary>The chunk index, in file order.</summary>
    public IReadOnlyList<McapChunkIndex> ChunkIndexes => _chunkIndexes;

    /// <summary>Opens <paramref name="path"/> and reads its footer and summary.</summary>
    /// <exception cref="McapFormatException">The file has no valid footer or summary, or they are damaged.</exception>
    public static McapIndexedReader Open(string path, McapReadOptions? options = null) =>
        Open(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16), path, options);

    /// <inheritdoc cref="Open(string, McapReadOptions?)"/>
    public static McapIndexedReader Open(Stream stream, string path, McapReadOptions? options = null)
    {
        var reader = new McapIndexedReader(stream, path, options ?? McapReadOptions.Strict);
        try
        {
            reader.ReadSummary();
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public IEnumerable<McapMessage> ReadMessages()
    {
        var chunkMessages = new List<McapMessage>();
        foreach (var index in _chunkIndexes.OrderBy(index => index.ChunkStartOffset))
        {
            chunkMessages.Clear();
            if (TryReadChunk(index, chunkMessages))
            {
                foreach (var message in chunkMessages)
                {
                    yield return message;
                }
            }
        }
    }

    public void Dispose() => _stream.Dispose();

    private bool TryReadChunk(McapChunkIndex index, List<McapMessage> output)
    {
        long offset = (long)Math.Min(index.ChunkStartOffset, long.MaxValue);
        try
        {
            if (index.ChunkStartOffset < (ulong)McapLayout.Magic.Length || index.ChunkLength < McapLayout.RecordPrefixLength ||
                index.ChunkStartOffset + index.ChunkLength > (ulong)_dataEnd || index.ChunkLength > int.MaxValue)
            {
                throw new McapFormatException(Path, offset, $"the chunk index points at bytes {index.ChunkStartOffset}..{index.ChunkStartOffset + index.ChunkLength}, outside the data section");
            }
            var record = ReadAt(offset, (int)index.ChunkLength);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(1));
            if (record[0] != (byte)McapOpcode.Chunk || length != index.ChunkLength - McapLayout.RecordPrefixLength)
            {
                throw new McapFormatException(Path, offset, "the chunk index points at something that is not the chunk it describes");
            }
            ChunkDecoder.Decode(record.AsSpan(McapLayout.RecordPrefixLength), offset, Path, _options, _directory, output);
            return true;
        }
        catch (McapFormatException e) when (_options.SkipCorruptChunks)
        {
            _issues.Add(new McapIssue(e.Offset, $"skipped a damaged chunk at byte {offset}: {e.Problem}"));
            return false;
        }
    }

    private void ReadSummary()
    {
        long fileLength = _stream.Length;
        const int footerRecordLength = McapLayout.RecordPrefixLength + McapLayout.FooterContentLength;
        int magicLength = McapLayout.Magic.Length;
        if (fileLength < 2 * magicLength + footerRecordLength)
        {
            throw new McapFormatException(Path, 0, $"the file is {fileLength} bytes long, too short for an MCAP file with a footer");
        }
        if (!ReadAt(0, magicLength).AsSpan().SequenceEqual(McapLayout.Magic))
        {
            throw new McapFormatException(Path, 0, "not an MCAP file: it does not start with the MCAP magic 894D434150300D0A");
        }
        long trailingMagicAt = fileLength - magicLength;
        if (!ReadAt(trailingMagicAt, magicLength).AsSpan().SequenceEqual(McapLayout.Magic))
        {
            throw new McapFormatException(Path, trailingMagicAt, "the file does not end with the MCAP magic: it was not closed (a cut recording is read sequentially, or rescued with `trainer log recover`)");
        }

        long footerAt = trailingMagicAt - footerRecordLength;
        var footer = ReadAt(footerAt, footerRecordLength);
        if (footer[0] != (byte)McapOpcode.Footer || BinaryPrimitives.ReadUInt64LittleEndian(footer.AsSpan(1)) != McapLayout.FooterContentLength)
        {
            throw new McapFormatException(Path, footerAt, "no Footer record before the trailing magic");
        }
        var fields = new FieldReader(footer.AsSpan(McapLayout.RecordPrefixLength), footerAt + McapLayout.RecordPrefixLength, Path, "Footer");
        ulong summaryStart = fields.ReadUInt64("summary_start");
        ulong summaryOffsetStart = fields.ReadUInt64("summary_offset_start");
        uint summaryCrc = fields.ReadUInt32("summary_crc");
        if (summaryStart == 0)
        {
            throw new McapFormatException(Path, footerAt, "the file has no summary section, so it cannot be read by index; read it sequentially");
        }
        if (summaryStart < (ulong)magicLength || summaryStart > (ulong)footerAt ||
            (summaryOffsetStart != 0 && (summaryOffsetStart < summaryStart || summaryOffsetStart > (ulong)footerAt)))
        {
            throw new McapFormatException(Path, footerAt, $"the footer's summary offsets ({summaryStart}, {summaryOffsetStart}) lie outside the file's summary area");
        }

        // The summary CRC covers the summary and summary offset sections and the footer up to its CRC field.
        int summaryLength = (int)((ulong)footerAt - summaryStart);
        var summary = ReadAt((long)summaryStart, summaryLength + footerRecordLength - 4);
        if (summaryCrc != 0)
        {
            uint computed = Crc32.HashToUInt32(summary);
            if (computed != summaryCrc && !_options.IgnoreSummaryCrc)
            {
                throw new McapFormatException(Path, (long)summaryStart, $"the summary fails its CRC-32 check (stored 0x{summaryCrc:X8}, computed 0x{computed:X8})");
            }
        }
        long recordsEnd = summaryOffsetStart == 0 ? footerAt : (long)summaryOffsetStart;
        var metadataIndexes = ParseSummaryRecords(summary.AsSpan(0, (int)(recordsEnd - (long)summaryStart)), (long)summaryStart);
        _dataEnd = (long)summaryStart;
        ReadMetadataRecords(metadataIndexes);
    }

    /// <summary>Parses the summary's records; returns the metadata index entries (offset, length).</summary>
    private List<(ulong Offset, ulong Length)> ParseSummaryRecords(ReadOnlySpan<byte> records, long offset)
    {
        var metadataIndexes = new List<(ulong Offset, ulong Length)>();
        int position = 0;
        while (position < records.Length)
        {
            var prefix = new FieldReader(records[position..], offset + position, Path, "summary");
            byte opcode = prefix.ReadByte("opcode");
            ulong length = prefix.ReadUInt64("length");
            long contentOffset = offset + position + McapLayout.RecordPrefixLength;
            var fields = prefix.Slice((int)Math.Min(length, int.MaxValue), McapRecordParser.OpcodeName(opcode) + " content");
            long recordOffset = offset + position;
            switch ((McapOpcode)opcode)
            {
                case McapOpcode.Schema:
                    _directory.Add(McapRecordParser.ParseSchema(ref fields), recordOffset, Path);
                    break;
                case McapOpcode.Channel:
                    _directory.Add(McapRecordParser.ParseChannel(ref fields), recordOffset, Path);
                    break;
                case McapOpcode.ChunkIndex:
                    _chunkIndexes.Add(McapRecordParser.ParseChunkIndex(ref fields));
                    break;
                case McapOpcode.Statistics:
                    Statistics = McapRecordParser.ParseStatistics(ref fields);
                    break;
                case McapOpcode.MetadataIndex:
                    metadataIndexes.Add((fields.ReadUInt64("offset"), fields.ReadUInt64("length")));
                    break;
                default:
                    break;
            }
            position = (int)(contentOffset + (long)length - offset);
        }
        return metadataIndexes;
    }

    private void ReadMetadataRecords(List<(ulong Offset, ulong Length)> metadataIndexes)
    {
        foreach (var (offset, length) in metadataIndexes)
        {
            if (offset < (ulong)McapLayout.Magic.Length || length < McapLayout.RecordPrefixLength || offset + length > (ulong)_dataEnd || length > int.MaxValue)
            {
                throw new McapFormatException(Path, (long)Math.Min(offset, long.MaxValue), "a metadata index points outside the data section");
            }
            var record = ReadAt((long)offset, (int)length);
            if (record[0] != (byte)McapOpcode.Metadata)
            {
                throw new McapFormatException(Path, (long)offset, "a metadata index points at something that is not a Metadata record");
            }
            var fields = new FieldReader(record.AsSpan(McapLayout.RecordPrefixLength), (long)offset + McapLayout.RecordPrefixLength, Path, "Metadata");
            _metadata.Add(McapRecordParser.ParseMetadata(ref fields));
        }
    }

    private byte[] ReadAt(long offset, int length)
    {
        var bytes = new byte[length];
        _stream.Position = offset;
        _stream.ReadExactly(bytes);
        return bytes;
    }
}
