using System.IO.Hashing;
using Google.Protobuf;

namespace Robotics.Protos.Mcap;

/// <summary>
/// Writes an MCAP file (mcap.dev/spec) front to back: magic and header, schema and channel records outside
/// chunks (so every chunk can be decoded on its own after a crash), messages in CRC-checked, optionally
/// compressed chunks each followed by its message indexes, and on <see cref="Finish"/> the data-end record,
/// a summary (schemas, channels, statistics, chunk and metadata indexes, summary offsets) and the footer.
/// </summary>
/// <remarks>Not thread-safe. Owns and disposes the stream.</remarks>
public sealed class McapWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly McapWriterOptions _options;
    private readonly ChunkCompressor _compressor;
    private readonly RecordBuffer _records = new(4096);
    private readonly RecordBuffer _chunk;
    private readonly Crc32 _dataCrc = new();
    private readonly Crc32 _summaryCrc = new();
    private readonly List<byte[]> _schemaRecords = [];
    private readonly List<byte[]> _channelRecords = [];
    private readonly SortedDictionary<ushort, ChannelState> _channels = [];
    // The same channels as a list: walked after every chunk, which a SortedDictionary's enumerator would allocate for.
    private readonly List<ChannelState> _channelList = [];
    private readonly List<byte[]> _chunkIndexRecords = [];
    private readonly List<byte[]> _metadataIndexRecords = [];
    private long _position;
    private CrcTarget _crcTarget = CrcTarget.DataSection;
    private bool _finished;
    private ushort _nextSchemaId = 1;
    private ushort _nextChannelId = 1;

    // Statistics (mcap.dev/spec, "Statistics").
    private ulong _messageCount;
    private ulong _messageStartTime = ulong.MaxValue;
    private ulong _messageEndTime;
    private uint _chunkCount;
    private uint _metadataCount;

    // The open chunk.
    private ulong _chunkStartTime = ulong.MaxValue;
    private ulong _chunkEndTime;
    private bool _chunkHasMessages;

    public McapWriter(Stream stream, McapWriterOptions? options = null)
    {
        _stream = stream;
        _options = options ?? new McapWriterOptions();
        _options.Validate();
        _compressor = new ChunkCompressor(_options.Compression);
        _chunk = new RecordBuffer(_options.ChunkSizeBytes + 64 * 1024);

        WriteRaw(McapLayout.Magic);
        int lengthAt = _records.BeginRecord(McapOpcode.Header);
        _records.WriteString(_options.Profile);
        _records.WriteString(_options.Library);
        _records.EndRecord(lengthAt);
        FlushRecords();
    }

    /// <summary>
    /// Pushes everything written outside chunks so far (header, schemas, channels) to the stream, and with
    /// <see cref="McapWriterOptions.SyncEachChunk"/> to the device: a crash from here on leaves a file that
    /// readers recognize.
    /// </summary>
    public void Flush() => Persist();

    /// <summary>Bytes written to the stream so far.</summary>
    public long Position => _position;

    /// <summary>Uncompressed bytes in the chunk being filled.</summary>
    public int OpenChunkBytes => _chunk.Length;

    /// <summary>Log time of the first message in the chunk being filled; null when it holds none.</summary>
    public ulong? OpenChunkStartTime => _chunkHasMessages ? _chunkStartTime : null;

    /// <summary>Writes a Schema record and returns its id.</summary>
    public ushort AddSchema(string name, string encoding, ReadOnlySpan<byte> data)
    {
        ThrowIfFinished();
        ushort id = _nextSchemaId++;
        int lengthAt = _records.BeginRecord(McapOpcode.Schema);
        _records.WriteUInt16(id);
        _records.WriteString(name);
        _records.WriteString(encoding);
        _records.WriteUInt32((uint)data.Length);
        _records.WriteBytes(data);
        _records.EndRecord(lengthAt);
        _schemaRecords.Add(_records.WrittenSpan.ToArray());
        FlushRecords();
        return id;
    }

    /// <summary>Writes a Channel record on <paramref name="topic"/> and returns its id.</summary>
    public ushort AddChannel(ushort schemaId, string topic, string messageEncoding, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ThrowIfFinished();
        if (schemaId >= _nextSchemaId)
        {
            throw new ArgumentException($"schema {schemaId} has not been added", nameof(schemaId));
        }
        ushort id = _nextChannelId++;
        int lengthAt = _records.BeginRecord(McapOpcode.Channel);
        _records.WriteUInt16(id);
        _records.WriteUInt16(schemaId);
        _records.WriteString(topic);
        _records.WriteString(messageEncoding);
        _records.WriteStringMap(metadata ?? new Dictionary<string, string>());
        _records.EndRecord(lengthAt);
        _channelRecords.Add(_records.WrittenSpan.ToArray());
        var state = new ChannelState();
        _channels.Add(id, state);
        _channelList.Add(state);
        FlushRecords();
        return id;
    }

    /// <summary>
    /// Messages of <paramref name="channelId"/> in chunks whole in the stream (flushed to the file; with
    /// <see cref="McapWriterOptions.SyncEachChunk"/>, fsynced once the chunk's indexes follow): what a failure of the
    /// stream from now on leaves recoverable. The open chunk's messages are not counted until it is written.
    /// </summary>
    public ulong PersistedMessages(ushort channelId) => ChannelOrThrow(channelId).Persisted;

    /// <summary>Appends a protobuf message to the open chunk, numbering it in its channel's sequence.</summary>
    public void WriteMessage(ushort channelId, ulong logTime, IMessage message)
    {
        var channel = ChannelOrThrow(channelId);
        int size = message.CalculateSize();
        var payload = BeginMessage(channelId, channel, channel.NextSequence++, logTime, logTime, size);
        message.WriteTo(payload);
        EndMessage();
    }

    /// <summary>Appends an already-encoded message to the open chunk, keeping its sequence and times.</summary>
    public void WriteMessage(ushort channelId, uint sequence, ulong logTime, ulong publishTime, ReadOnlySpan<byte> data)
    {
        var channel = ChannelOrThrow(channelId);
        data.CopyTo(BeginMessage(channelId, channel, sequence, logTime, publishTime, data.Length));
        EndMessage();
    }

    /// <summary>Writes a Metadata record (outside chunks) and indexes it in the summary.</summary>
    public void WriteMetadata(string name, IReadOnlyDictionary<string, string> values)
    {
        ThrowIfFinished();
        long offset = _position;
        int lengthAt = _records.BeginRecord(McapOpcode.Metadata);
        _records.WriteString(name);
        _records.WriteStringMap(values);
        _records.EndRecord(lengthAt);
        long length = _records.Length;
        FlushRecords();
        _metadataCount++;

        lengthAt = _records.BeginRecord(McapOpcode.MetadataIndex);
        _records.WriteUInt64((ulong)offset);
        _records.WriteUInt64((ulong)length);
        _records.WriteString(name);
        _records.EndRecord(lengthAt);
        _metadataIndexRecords.Add(_records.WrittenSpan.ToArray());
        _records.Clear();
    }

    /// <summary>
    /// Closes the open chunk: compresses it, writes the Chunk record and its Message Index records, and
    /// flushes (and with <see cref="McapWriterOptions.SyncEachChunk"/>, fsyncs) the stream. Does nothing when
    /// the chunk is empty.
    /// </summary>
    public void FlushChunk()
    {
        ThrowIfFinished();
        if (_chunk.Length == 0)
        {
            return;
        }
        var uncompressed = _chunk.WrittenSpan;
        uint crc = Crc32.HashToUInt32(uncompressed);
        var compressed = _compressor.Compress(uncompressed);
        string compression = _options.Compression.ToRecordName();
        long chunkStart = _position;
        ulong startTime = _chunkHasMessages ? _chunkStartTime : 0;
        ulong endTime = _chunkHasMessages ? _chunkEndTime : 0;

        // Chunk record (mcap.dev/spec, "Chunk"): the compressed records follow the fixed fields directly,
        // so they are written straight from the compressor's buffer rather than copied.
        int lengthAt = _records.BeginRecord(McapOpcode.Chunk);
        _records.WriteUInt64(startTime);
        _records.WriteUInt64(endTime);
        _records.WriteUInt64((ulong)uncompressed.Length);
        _records.WriteUInt32(crc);
        _records.WriteString(compression);
        _records.WriteUInt64((ulong)compressed.Length);
        _records.PatchUInt64(lengthAt, (ulong)(_records.Length - lengthAt - 8 + compressed.Length));
        WriteRaw(_records.WrittenSpan);
        _records.Clear();
        WriteRaw(compressed);
        long chunkLength = _position - chunkStart;
        // The chunk is whole in the file once this flush returns, and a reader recovers it from there even if the
        // disk fills on its message indexes below: its messages count as persisted from here, not after them.
        _stream.Flush();
        foreach (var channel in _channelList)
        {
            channel.Persisted = channel.MessageCount;
        }

        // One Message Index record per channel with messages in this chunk (mcap.dev/spec, "Message Index").
        long indexStart = _position;
        var indexOffsets = new List<KeyValuePair<ushort, ulong>>();
        foreach (var (channelId, channel) in _channels)
        {
            if (channel.ChunkIndex.Count == 0)
            {
                continue;
            }
            indexOffsets.Add(new(channelId, (ulong)_position));
            lengthAt = _records.BeginRecord(McapOpcode.MessageIndex);
            _records.WriteUInt16(channelId);
            _records.WriteUInt32((uint)(channel.ChunkIndex.Count * 16));
            foreach (var (logTime, offset) in channel.ChunkIndex)
            {
                _records.WriteUInt64(logTime);
                _records.WriteUInt64(offset);
            }
            _records.EndRecord(lengthAt);
            FlushRecords();
            channel.ChunkIndex.Clear();
        }
        long indexLength = _position - indexStart;

        lengthAt = _records.BeginRecord(McapOpcode.ChunkIndex);
        _records.WriteUInt64(startTime);
        _records.WriteUInt64(endTime);
        _records.WriteUInt64((ulong)chunkStart);
        _records.WriteUInt64((ulong)chunkLength);
        _records.WriteChannelMap(indexOffsets);
        _records.WriteUInt64((ulong)indexLength);
        _records.WriteString(compression);
        _records.WriteUInt64((ulong)compressed.Length);
        _records.WriteUInt64((ulong)uncompressed.Length);
        _records.EndRecord(lengthAt);
        _chunkIndexRecords.Add(_records.WrittenSpan.ToArray());
        _records.Clear();

        _chunkCount++;
        _chunk.Clear();
        _chunkHasMessages = false;
        _chunkStartTime = ulong.MaxValue;
        _chunkEndTime = 0;
        Persist();
    }

    /// <summary>
    /// Closes the file: flushes the open chunk, writes Data End (with the data section's CRC-32), the summary
    /// section, the summary offsets and the footer (with the summary's CRC-32), then the trailing magic.
    /// </summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        FlushChunk();
        int lengthAt = _records.BeginRecord(McapOpcode.DataEnd);
        _records.WriteUInt32(_dataCrc.GetCurrentHashAsUInt32());
        _records.EndRecord(lengthAt);
        FlushRecords();

        _crcTarget = CrcTarget.Summary;
        long summaryStart = _position;
        var groups = new List<(McapOpcode Opcode, long Start, long Length)>();
        WriteGroup(McapOpcode.Schema, _schemaRecords, groups);
        WriteGroup(McapOpcode.Channel, _channelRecords, groups);
        WriteGroup(McapOpcode.Statistics, [BuildStatistics()], groups);
        WriteGroup(McapOpcode.ChunkIndex, _chunkIndexRecords, groups);
        WriteGroup(McapOpcode.MetadataIndex, _metadataIndexRecords, groups);

        long summaryOffsetStart = _position;
        foreach (var (opcode, start, length) in groups)
        {
            lengthAt = _records.BeginRecord(McapOpcode.SummaryOffset);
            _records.WriteByte((byte)opcode);
            _records.WriteUInt64((ulong)start);
            _records.WriteUInt64((ulong)length);
            _records.EndRecord(lengthAt);
            FlushRecords();
        }

        // Footer (mcap.dev/spec, "Footer"): its CRC covers the summary through the summary_offset_start
        // field, so the record's prefix and first two fields are written (and hashed) before the CRC itself.
        lengthAt = _records.BeginRecord(McapOpcode.Footer);
        _records.WriteUInt64((ulong)summaryStart);
        _records.WriteUInt64((ulong)summaryOffsetStart);
        _records.PatchUInt64(lengthAt, McapLayout.FooterContentLength);
        FlushRecords();
        _crcTarget = CrcTarget.None;
        _records.WriteUInt32(_summaryCrc.GetCurrentHashAsUInt32());
        FlushRecords();
        WriteRaw(McapLayout.Magic);
        _finished = true;
        Persist();
    }

    /// <summary>Finishes the file if that has not been done, then closes the stream.</summary>
    public void Dispose()
    {
        try
        {
            Finish();
        }
        finally
        {
            _compressor.Dispose();
            _stream.Dispose();
        }
    }

    /// <summary>
    /// Closes the stream without finishing the file, after a write to it failed: nothing more is written, so no
    /// summary or footer can land after a chunk that was cut short. The chunks written before stay recoverable
    /// (<c>trainer log recover</c>). Throws what closing the broken stream throws.
    /// </summary>
    public void Abandon()
    {
        _finished = true;
        try
        {
            _stream.Dispose();
        }
        finally
        {
            _compressor.Dispose();
        }
    }

    private Span<byte> BeginMessage(ushort channelId, ChannelState channel, uint sequence, ulong logTime, ulong publishTime, int payloadLength)
    {
        ThrowIfFinished();
        int recordStart = _chunk.Length;
        channel.ChunkIndex.Add((logTime, (ulong)recordStart));
        channel.MessageCount++;
        _chunk.WriteByte((byte)McapOpcode.Message);
        _chunk.WriteUInt64((ulong)(McapLayout.MessageHeaderLength + payloadLength));
        _chunk.WriteUInt16(channelId);
        _chunk.WriteUInt32(sequence);
        _chunk.WriteUInt64(logTime);
        _chunk.WriteUInt64(publishTime);

        _messageCount++;
        _messageStartTime = Math.Min(_messageStartTime, logTime);
        _messageEndTime = Math.Max(_messageEndTime, logTime);
        _chunkStartTime = Math.Min(_chunkStartTime, logTime);
        _chunkEndTime = Math.Max(_chunkEndTime, logTime);
        _chunkHasMessages = true;
        return _chunk.Append(payloadLength);
    }

    private void EndMessage()
    {
        if (_chunk.Length >= _options.ChunkSizeBytes)
        {
            FlushChunk();
        }
    }

    private ChannelState ChannelOrThrow(ushort channelId) =>
        _channels.TryGetValue(channelId, out var channel)
            ? channel
            : throw new ArgumentException($"channel {channelId} has not been added", nameof(channelId));

    private byte[] BuildStatistics()
    {
        int lengthAt = _records.BeginRecord(McapOpcode.Statistics);
        _records.WriteUInt64(_messageCount);
        _records.WriteUInt16((ushort)_schemaRecords.Count);
        _records.WriteUInt32((uint)_channelRecords.Count);
        _records.WriteUInt32(0); // attachment_count: this writer writes no attachments
        _records.WriteUInt32(_metadataCount);
        _records.WriteUInt32(_chunkCount);
        _records.WriteUInt64(_messageCount == 0 ? 0 : _messageStartTime);
        _records.WriteUInt64(_messageCount == 0 ? 0 : _messageEndTime);
        _records.WriteChannelMap(_channels.Select(pair => KeyValuePair.Create(pair.Key, pair.Value.MessageCount)));
        _records.EndRecord(lengthAt);
        var bytes = _records.WrittenSpan.ToArray();
        _records.Clear();
        return bytes;
    }

    private void WriteGroup(McapOpcode opcode, List<byte[]> records, List<(McapOpcode, long, long)> groups)
    {
        if (records.Count == 0)
        {
            return;
        }
        long start = _position;
        foreach (var record in records)
        {
            WriteRaw(record);
        }
        groups.Add((opcode, start, _position - start));
    }

    private void FlushRecords()
    {
        WriteRaw(_records.WrittenSpan);
        _records.Clear();
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        switch (_crcTarget)
        {
            case CrcTarget.DataSection: _dataCrc.Append(bytes); break;
            case CrcTarget.Summary: _summaryCrc.Append(bytes); break;
        }
        _position += bytes.Length;
    }

    private void Persist()
    {
        if (_options.SyncEachChunk && _stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            _stream.Flush();
        }
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException("the MCAP file is already finished");
        }
    }

    /// <summary>Which running CRC-32 the bytes being written belong to.</summary>
    private enum CrcTarget
    {
        DataSection,
        Summary,
        None,
    }

    private sealed class ChannelState
    {
        public uint NextSequence;
        public ulong MessageCount;
        public ulong Persisted;
        public readonly List<(ulong LogTime, ulong Offset)> ChunkIndex = [];
    }
}
