using System.Buffers.Binary;

namespace Robotics.Protos.Mcap;

/// <summary>What a <see cref="McapScanner"/> hands on, in file order.</summary>
internal interface IMcapScanSink
{
    void Schema(McapSchema schema);

    void Channel(McapChannel channel);

    void Message(McapMessage message);

    void Metadata(McapMetadata metadata);
}

/// <summary>
/// Walks a damaged MCAP file record by record and, wherever a record does not hold together, resynchronizes
/// on the next intact one, so that damage in one place costs only the bytes it hit: every chunk that passes
/// its CRC is found, whether the walk reaches it, the scan after damage does, or the summary's chunk index
/// points at it. A chunk is decoded by its own fields, so a damaged length field in front of it costs nothing.
/// </summary>
internal sealed class McapScanner
{
    // Fixed Chunk fields before the compression string: start and end time, uncompressed size, CRC, and the
    // string's own length.
    private const int ChunkFixedFields = 8 + 8 + 8 + 4 + 4;

    // Longer than any codec name; a longer one means the bytes are not a chunk.
    private const int LongestCompressionName = 16;

    // Schema, channel and metadata records of any recorder are far smaller; a larger length after damage is
    // not one of them.
    private const int LargestDefinitionRecord = 16 * 1024 * 1024;

    private readonly FileWindow _file;
    private readonly string _path;
    private readonly IReadOnlySet<long> _indexedChunks;
    private readonly IMcapScanSink _sink;
    private readonly List<McapIssue> _issues = [];
    private string _problem = "";

    /// <param name="indexedChunks">Chunk offsets from the summary's chunk index, when it could be read: tried
    /// as chunks even where the opcode or length in front of them is damaged.</param>
    public McapScanner(Stream stream, string path, IReadOnlySet<long> indexedChunks, IMcapScanSink sink)
    {
        _file = new FileWindow(stream);
        _path = path;
        _indexedChunks = indexedChunks;
        _sink = sink;
    }

    public IReadOnlyList<McapIssue> Issues => _issues;

    /// <summary>The footer and the trailing magic were found intact.</summary>
    public bool ReachedFooter { get; private set; }

    /// <summary>Bytes of the file in records read whole, magic included.</summary>
    public long ReadableBytes { get; private set; }

    /// <summary>Chunks that passed their CRC and were handed on.</summary>
    public int ChunksKept { get; private set; }

    public void Run()
    {
        long position = McapLayout.Magic.Length;
        if (_file.Length >= position && _file.Get(0, McapLayout.Magic.Length).SequenceEqual(McapLayout.Magic))
        {
            ReadableBytes = position;
        }
        else
        {
            _issues.Add(new McapIssue(0, "the file does not start with the MCAP magic"));
        }
        bool ended = false;
        while (position < _file.Length && !ended)
        {
            long? end = TryRecord(position, ref ended);
            if (end is long next)
            {
                ReadableBytes += next - position;
                position = next;
                continue;
            }
            long damaged = position;
            string problem = _problem;
            position = Resync(position + 1);
            _issues.Add(new McapIssue(damaged, position == _file.Length
                ? $"{problem}; nothing intact follows (skipped the last {position - damaged} bytes)"
                : $"{problem}; skipped {position - damaged} bytes to the next intact record at byte {position}"));
        }
    }

    /// <summary>Reads the record at <paramref name="position"/>; its end, or null (and why in _problem) when it does not hold together.</summary>
    private long? TryRecord(long position, ref bool ended)
    {
        long remaining = _file.Length - position;
        if (remaining < McapLayout.RecordPrefixLength)
        {
            return Fail($"the file ends inside a record's 9-byte prefix ({remaining} bytes left)");
        }
        var prefix = _file.Get(position, McapLayout.RecordPrefixLength);
        byte opcode = prefix[0];
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix[1..]);
        string name = McapRecordParser.OpcodeName(opcode);
        if (opcode == (byte)McapOpcode.Chunk || _indexedChunks.Contains(position))
        {
            // The index may point at a chunk whose opcode is damaged; when the bytes there are no chunk (the
            // file was shifted), they are read as whatever record they are.
            long? chunkEnd = TryChunk(position, exactLength: false, handOn: true);
            if (chunkEnd is not null || opcode == (byte)McapOpcode.Chunk)
            {
                return chunkEnd;
            }
        }
        if (opcode == 0)
        {
            return Fail("found opcode 0x00 where a record should start (zeroed or damaged bytes)");
        }
        if (length > (ulong)(remaining - McapLayout.RecordPrefixLength))
        {
            return Fail($"a {name} record declares {length} bytes but only {remaining - McapLayout.RecordPrefixLength} remain in the file");
        }
        if (length > LargestDefinitionRecord)
        {
            // Attachments may be large and carry nothing recovery keeps: stepped over by their length.
            return opcode == (byte)McapOpcode.Attachment
                ? position + McapLayout.RecordPrefixLength + (long)length
                : Fail($"a {name} record declares {length} bytes, more than any such record holds");
        }
        long contentOffset = position + McapLayout.RecordPrefixLength;
        var content = _file.Get(contentOffset, (int)length);
        if (!McapRecordShape.IsWellFormed(opcode, content, _path))
        {
            return Fail($"a {name} record's fields do not fill its {length} bytes exactly (a damaged record)");
        }
        var fields = new FieldReader(content, contentOffset, _path, name);
        switch ((McapOpcode)opcode)
        {
            case McapOpcode.Schema:
                _sink.Schema(McapRecordParser.ParseSchema(ref fields));
                break;
            case McapOpcode.Channel:
                _sink.Channel(McapRecordParser.ParseChannel(ref fields));
                break;
            case McapOpcode.Message:
                _sink.Message(McapRecordParser.ParseMessage(content.ToArray(), contentOffset, position, _path));
                break;
            case McapOpcode.Metadata:
                _sink.Metadata(McapRecordParser.ParseMetadata(ref fields));
                break;
            case McapOpcode.Footer:
                ended = true;
                long magicAt = contentOffset + (long)length;
                int magicLength = McapLayout.Magic.Length;
                if (_file.Length - magicAt == magicLength && _file.Get(magicAt, magicLength).SequenceEqual(McapLayout.Magic))
                {
                    ReachedFooter = true;
                    return _file.Length;
                }
                _issues.Add(new McapIssue(magicAt, "the footer is not followed by the MCAP magic, which ends the file (damaged or extra bytes)"));
                break;
        }
        return contentOffset + (long)length;
    }

    /// <summary>
    /// Decodes the chunk at <paramref name="position"/> by its own fields (sizes, codec, CRC) and returns where
    /// it ends; <paramref name="handOn"/> passes its records on. <paramref name="exactLength"/> also requires the
    /// record's length field to agree, which is how a scan after damage tells a chunk from bytes that only look
    /// like one.
    /// </summary>
    private long? TryChunk(long position, bool exactLength, bool handOn)
    {
        long contentOffset = position + McapLayout.RecordPrefixLength;
        long available = _file.Length - contentOffset;
        if (available < ChunkFixedFields)
        {
            return Fail($"the file ends inside the chunk at byte {position}");
        }
        uint nameLength = BinaryPrimitives.ReadUInt32LittleEndian(_file.Get(contentOffset + ChunkFixedFields - 4, 4));
        if (nameLength > LongestCompressionName || available < ChunkFixedFields + nameLength + 8)
        {
            return Fail(nameLength > LongestCompressionName
                ? $"the chunk at byte {position} names a compression of {nameLength} bytes (a damaged chunk)"
                : $"the file ends inside the chunk at byte {position}");
        }
        ulong recordsLength = BinaryPrimitives.ReadUInt64LittleEndian(_file.Get(contentOffset + ChunkFixedFields + nameLength, 8));
        ulong fieldsLength = ChunkFixedFields + nameLength + 8 + recordsLength;
        if (recordsLength > (ulong)McapReadOptions.Recover.MaxChunkUncompressedBytes)
        {
            return Fail($"the chunk at byte {position} declares {recordsLength} bytes of records, more than any chunk this reader accepts (a damaged chunk)");
        }
        if (fieldsLength > (ulong)available)
        {
            return Fail($"the chunk at byte {position} holds {recordsLength} bytes of records but only {available} remain in the file (cut or damaged)");
        }
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(_file.Get(position + 1, 8));
        if (exactLength && declared != fieldsLength)
        {
            return Fail("not a chunk");
        }
        List<McapSchema> schemas;
        List<McapChannel> channels;
        List<McapMessage> messages;
        try
        {
            (schemas, channels, messages) = ChunkDecoder.DecodeRecords(_file.Get(contentOffset, (int)fieldsLength), position, _path, McapReadOptions.Recover);
        }
        catch (McapFormatException e)
        {
            return Fail($"the chunk at byte {position} is damaged: {e.Problem}");
        }
        if (!handOn)
        {
            return contentOffset + (long)fieldsLength;
        }
        if (declared != fieldsLength)
        {
            _issues.Add(new McapIssue(position, $"the chunk at byte {position} has a damaged length field ({declared} bytes; its fields take {fieldsLength}): kept it, as it passes its CRC"));
        }
        schemas.ForEach(_sink.Schema);
        channels.ForEach(_sink.Channel);
        messages.ForEach(_sink.Message);
        ChunksKept++;
        return contentOffset + (long)fieldsLength;
    }

    /// <summary>The first offset from <paramref name="start"/> where an intact record begins, or the file's end.</summary>
    private long Resync(long start)
    {
        for (long position = start; position < _file.Length; position++)
        {
            if (IsResyncPoint(position))
            {
                return position;
            }
        }
        return _file.Length;
    }

    /// <summary>
    /// Whether <paramref name="position"/> starts a record the scan can trust: a chunk the index points at or
    /// whose length, fields and CRC agree, or a definition, data end or footer record whose fields fill it exactly.
    /// Message records are never trusted here: any bytes fit one.
    /// </summary>
    private bool IsResyncPoint(long position)
    {
        byte opcode = _file[position];
        if (_indexedChunks.Contains(position))
        {
            return TryChunk(position, exactLength: false, handOn: false) is not null;
        }
        switch ((McapOpcode)opcode)
        {
            case McapOpcode.Chunk:
                return TryChunk(position, exactLength: true, handOn: false) is not null;
            case McapOpcode.Schema or McapOpcode.Channel or McapOpcode.Metadata or McapOpcode.DataEnd:
                break;
            case McapOpcode.Footer:
                return _file.Length - position == McapLayout.RecordPrefixLength + McapLayout.FooterContentLength + McapLayout.Magic.Length;
            default:
                return false;
        }
        if (_file.Length - position < McapLayout.RecordPrefixLength)
        {
            return false;
        }
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(_file.Get(position + 1, 8));
        return length <= LargestDefinitionRecord && length <= (ulong)(_file.Length - position - McapLayout.RecordPrefixLength) &&
            McapRecordShape.IsWellFormed(opcode, _file.Get(position + McapLayout.RecordPrefixLength, (int)length), _path);
    }

    private long? Fail(string problem)
    {
        _problem = problem;
        return null;
    }
}
