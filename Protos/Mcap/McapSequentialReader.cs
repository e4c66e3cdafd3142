using System.Buffers.Binary;
using System.IO.Hashing;

namespace Robotics.Protos.Mcap;

/// <summary>
/// Reads an MCAP file front to back, record by record, without needing its summary: the reader for a
/// recording that was cut (no footer) or damaged. Verifies chunk CRCs and the data section's CRC.
/// </summary>
/// <remarks>Owns and disposes the stream. One enumeration of <see cref="ReadMessages"/> per reader.</remarks>
public sealed class McapSequentialReader : IMcapMessageSource
{
    private readonly Stream _stream;
    private readonly McapReadOptions _options;
    private readonly McapDirectory _directory = new();
    private readonly List<McapMetadata> _metadata = [];
    private readonly List<McapIssue> _issues = [];
    private readonly Crc32 _dataCrc = new();
    private byte[] _buffer = new byte[64 * 1024];

    public McapSequentialReader(string path, McapReadOptions? options = null)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16), path, options)
    {
    }

    public McapSequentialReader(Stream stream, string path, McapReadOptions? options = null)
    {
        _stream = stream;
        Path = path;
        _options = options ?? McapReadOptions.Strict;
    }

    public string Path { get; }

    public IReadOnlyDictionary<ushort, McapSchema> Schemas => _directory.Schemas;

    public IReadOnlyDictionary<ushort, McapChannel> Channels => _directory.Channels;

    public IReadOnlyList<McapMetadata> Metadata => _metadata;

    public IReadOnlyList<McapIssue> Issues => _issues;

    /// <summary>True once the footer and trailing magic have been read: the file was closed properly.</summary>
    public bool ReachedFooter { get; private set; }

    /// <summary>Offset just past the last record read whole: where a cut file's usable data ends.</summary>
    public long ValidLength { get; private set; }

    public IEnumerable<McapMessage> ReadMessages()
    {
        long fileLength = _stream.Length;
        ReadMagic(fileLength);
        long position = McapLayout.Magic.Length;
        _dataCrc.Append(McapLayout.Magic);
        bool headerSeen = false;
        bool dataEnded = false;
        var chunkMessages = new List<McapMessage>();
        byte[] prefix = new byte[McapLayout.RecordPrefixLength];

        while (true)
        {
            ValidLength = position;
            long remaining = fileLength - position;
            if (remaining == 0)
            {
                if (Cut(position, "the file ends without a footer: the recording was not closed"))
                {
                    yield break;
                }
            }
            if (remaining < McapLayout.RecordPrefixLength)
            {
                if (Cut(position, $"the file ends inside a record's 9-byte prefix ({remaining} bytes left)"))
                {
                    yield break;
                }
            }
            ReadExactly(position, prefix);
            byte opcode = prefix[0];
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix.AsSpan(1));
            string name = McapRecordParser.OpcodeName(opcode);
            long contentAvailable = remaining - McapLayout.RecordPrefixLength;
            if (opcode == 0)
            {
                // Opcode 0 is not a record (mcap.dev/spec reserves 0x01-0x7F for the format): after a power
                // cut the file's tail is often zero-filled blocks.
                if (Cut(position, "found opcode 0x00 where a record should start (zeroed or damaged bytes)"))
                {
                    yield break;
                }
            }
            if (length > (ulong)contentAvailable)
            {
                if (Cut(position, $"a {name} record declares {length} bytes but only {contentAvailable} remain in the file"))
                {
                    yield break;
                }
            }
            if (length > int.MaxValue)
            {
                throw new McapFormatException(Path, position, $"a {name} record declares {length} bytes, more than this reader handles in one record");
            }
            var content = ReadContent(position + McapLayout.RecordPrefixLength, (int)length);
            if (!dataEnded && opcode != (byte)McapOpcode.DataEnd)
            {
                _dataCrc.Append(prefix);
                _dataCrc.Append(content.Span);
            }
            long contentOffset = position + McapLayout.RecordPrefixLength;
            var fields = new FieldReader(content.Span, contentOffset, Path, name);

            if (!headerSeen && opcode != (byte)McapOpcode.Header)
            {
                throw new McapFormatException(Path, position, $"the first record is {name}, not the Header record the spec requires");
            }

            switch ((McapOpcode)opcode)
            {
                case McapOpcode.Header:
                    if (headerSeen)
                    {
                        throw new McapFormatException(Path, position, "a second Header record");
                    }
                    headerSeen = true;
                    break;
                case McapOpcode.Schema when !dataEnded:
                    _directory.Add(McapRecordParser.ParseSchema(ref fields), position, Path);
                    break;
                case McapOpcode.Channel when !dataEnded:
                    _directory.Add(McapRecordParser.ParseChannel(ref fields), position, Path);
                    break;
                case McapOpcode.Message:
                    var message = McapRecordParser.ParseMessage(content.ToArray(), contentOffset, position, Path);
                    if (!_directory.HasChannel(message.ChannelId))
                    {
                        throw new McapFormatException(Path, position, $"a message refers to channel {message.ChannelId}, which is not defined before it");
                    }
                    yield return message;
                    break;
                case McapOpcode.Chunk:
                    chunkMessages.Clear();
                    if (TryDecodeChunk(content.Span, position, chunkMessages))
                    {
                        foreach (var chunkMessage in chunkMessages)
                        {
                            yield return chunkMessage;
                        }
                    }
                    break;
                case McapOpcode.Metadata:
                    _metadata.Add(McapRecordParser.ParseMetadata(ref fields));
                    break;
                case McapOpcode.DataEnd:
                    CheckDataCrc(fields.ReadUInt32("data_section_crc"), position);
                    dataEnded = true;
                    break;
                case McapOpcode.Footer:
                    ReadTrailingMagic(position + McapLayout.RecordPrefixLength + (long)length, fileLength);
                    ReachedFooter = true;
                    ValidLength = fileLength;
                    yield break;
                default:
                    // Indexes, statistics, attachments and opcodes from later spec versions or extensions
                    // carry nothing a sequential reader needs (mcap.dev/spec: readers ignore what they do not know).
                    break;
            }
            position = contentOffset + (long)length;
        }
    }

    public void Dispose() => _stream.Dispose();

    private bool TryDecodeChunk(ReadOnlySpan<byte> content, long position, List<McapMessage> output)
    {
        try
        {
            ChunkDecoder.Decode(content, position, Path, _options, _directory, output);
            return true;
        }
        catch (McapFormatException e) when (_options.SkipCorruptChunks)
        {
            _issues.Add(new McapIssue(e.Offset, $"skipped a damaged chunk at byte {position}: {e.Problem}"));
            return false;
        }
    }

    private void CheckDataCrc(uint stored, long position)
    {
        // The data section's CRC-32 covers every byte before the Data End record, magic included.
        uint computed = _dataCrc.GetCurrentHashAsUInt32();
        if (stored == 0 || stored == computed)
        {
            return;
        }
        string problem = $"the data section fails its CRC-32 check (stored 0x{stored:X8}, computed 0x{computed:X8})";
        if (!_options.SkipCorruptChunks)
        {
            throw new McapFormatException(Path, position, problem);
        }
        _issues.Add(new McapIssue(position, problem));
    }

    /// <summary>Handles a file that ends early: true (stop reading) when tolerated, else throws.</summary>
    private bool Cut(long position, string problem)
    {
        if (!_options.AllowTruncatedTail)
        {
            throw new McapFormatException(Path, position, problem + " (truncated or damaged file)");
        }
        _issues.Add(new McapIssue(position, problem));
        return true;
    }

    private void ReadMagic(long fileLength)
    {
        Span<byte> magic = stackalloc byte[8];
        if (fileLength < magic.Length)
        {
            throw new McapFormatException(Path, 0, $"the file is {fileLength} bytes long, too short to be an MCAP file");
        }
        ReadExactly(0, magic);
        if (!magic.SequenceEqual(McapLayout.Magic))
        {
            throw new McapFormatException(Path, 0, $"not an MCAP file: it starts with {Convert.ToHexString(magic)}, not the MCAP magic 894D434150300D0A");
        }
    }

    private void ReadTrailingMagic(long position, long fileLength)
    {
        Span<byte> magic = stackalloc byte[8];
        if (fileLength - position < magic.Length)
        {
            Cut(position, "the file ends inside the trailing magic");
            return;
        }
        ReadExactly(position, magic);
        if (!magic.SequenceEqual(McapLayout.Magic))
        {
            // Everything before it was read and checked: a tolerant reader keeps it and says what is wrong at the end.
            Cut(position, "the footer is not followed by the MCAP magic (damaged bytes at the end)");
        }
    }

    private ReadOnlyMemory<byte> ReadContent(long position, int length)
    {
        if (_buffer.Length < length)
        {
            _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        }
        ReadExactly(position, _buffer.AsSpan(0, length));
        return new ReadOnlyMemory<byte>(_buffer, 0, length);
    }

    private void ReadExactly(long position, Span<byte> destination)
    {
        if (_stream.Position != position)
        {
            _stream.Position = position;
        }
        _stream.ReadExactly(destination);
    }
}
