using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using ZstdSharp;

namespace Robotics.Protos.Mcap;

/// <summary>Chunk compression codecs that MCAP readers support (mcap.dev/spec, "Supported Compression Formats").</summary>
public enum McapCompression
{
    None,
    Zstd,
    /// <summary>LZ4 frame format (not raw blocks), as every MCAP library writes and reads it.</summary>
    Lz4,
}

/// <summary>Maps codecs to the names the Chunk record's <c>compression</c> field stores.</summary>
public static class McapCompressionNames
{
    public static string ToRecordName(this McapCompression compression) => compression switch
    {
        McapCompression.None => "",
        McapCompression.Zstd => "zstd",
        McapCompression.Lz4 => "lz4",
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
    };

    /// <summary>Parses a record's compression field; false for a codec this reader does not know.</summary>
    public static bool TryParseRecordName(string name, out McapCompression compression)
    {
        switch (name)
        {
            case "": compression = McapCompression.None; return true;
            case "zstd": compression = McapCompression.Zstd; return true;
            case "lz4": compression = McapCompression.Lz4; return true;
            default: compression = McapCompression.None; return false;
        }
    }
}

/// <summary>
/// Compresses chunk payloads, reusing its codec state and output buffer between chunks so the writer
/// thread settles to no allocation per chunk. Not thread-safe: one per writer.
/// </summary>
internal sealed class ChunkCompressor : IDisposable
{
    // zstd level 3 is the library default: on the Raspberry Pi class of CPU it keeps a 256 KiB chunk well
    // under a millisecond while compressing float telemetry about as well as higher levels.
    private const int ZstdLevel = 3;

    private readonly McapCompression _compression;
    private readonly Compressor? _zstd;
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);

    public ChunkCompressor(McapCompression compression)
    {
        _compression = compression;
        if (compression == McapCompression.Zstd)
        {
            _zstd = new Compressor(ZstdLevel);
        }
    }

    /// <summary>Compresses <paramref name="records"/>; the result is valid until the next call.</summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> records)
    {
        _output.ResetWrittenCount();
        switch (_compression)
        {
            case McapCompression.None:
                return records;
            case McapCompression.Zstd:
                var span = _output.GetSpan(Compressor.GetCompressBound(records.Length));
                int written = _zstd!.Wrap(records, span);
                _output.Advance(written);
                return _output.WrittenSpan;
            case McapCompression.Lz4:
                LZ4Frame.Encode(records, _output, LZ4Level.L00_FAST);
                return _output.WrittenSpan;
            default:
                throw new InvalidOperationException($"unknown compression {_compression}");
        }
    }

    public void Dispose() => _zstd?.Dispose();
}

/// <summary>Decompresses chunk payloads into a buffer of the size the chunk declares.</summary>
internal static class ChunkDecompressor
{
    /// <summary>
    /// Decompresses <paramref name="compressed"/>, which must expand to exactly
    /// <paramref name="uncompressedSize"/> bytes; any codec error or size mismatch is returned as a problem
    /// text rather than thrown, so the caller can name the file and offset. (The codecs signal damaged input
    /// with any of the exception types caught below; the LZ4 frame reader, for one, with EndOfStreamException.)
    /// </summary>
    public static byte[]? TryDecompress(McapCompression compression, ReadOnlySpan<byte> compressed, int uncompressedSize, out string? problem)
    {
        problem = null;
        try
        {
            switch (compression)
            {
                case McapCompression.None:
                    if (compressed.Length != uncompressedSize)
                    {
                        problem = $"uncompressed chunk holds {compressed.Length} bytes but declares {uncompressedSize}";
                        return null;
                    }
                    return compressed.ToArray();
                case McapCompression.Zstd:
                {
                    using var zstd = new Decompressor();
                    var output = new byte[uncompressedSize];
                    int written = zstd.Unwrap(compressed, output);
                    if (written != uncompressedSize)
                    {
                        problem = $"zstd chunk expands to {written} bytes but declares {uncompressedSize}";
                        return null;
                    }
                    return output;
                }
                case McapCompression.Lz4:
                {
                    var output = new ArrayBufferWriter<byte>(Math.Max(1, uncompressedSize));
                    LZ4Frame.Decode(compressed, output);
                    if (output.WrittenCount != uncompressedSize)
                    {
                        problem = $"lz4 chunk expands to {output.WrittenCount} bytes but declares {uncompressedSize}";
                        return null;
                    }
                    return output.WrittenSpan.ToArray();
                }
                default:
                    problem = $"unknown compression {compression}";
                    return null;
            }
        }
        catch (Exception e) when (e is ZstdException or InvalidDataException or IOException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or NotSupportedException or OverflowException)
        {
            problem = $"{compression.ToRecordName()} chunk does not decompress: {e.Message}";
            return null;
        }
    }
}
