using Robotics.Protos.Mcap;

namespace Robotics.Tests.Support;

/// <summary>Finds records in a written log so tests can damage exactly one of them.</summary>
public static class McapFileSurgery
{
    /// <summary>The file offset and length of each chunk record, from the file's own index.</summary>
    public static IReadOnlyList<(long Offset, long Length)> Chunks(string path)
    {
        using var reader = McapIndexedReader.Open(path);
        return [.. reader.ChunkIndexes.Select(c => ((long)c.ChunkStartOffset, (long)c.ChunkLength))];
    }

    /// <summary>How many steps the chunk at <paramref name="chunkOffset"/> holds.</summary>
    public static long StepsInChunk(string path, long chunkOffset)
    {
        using var reader = McapIndexedReader.Open(path);
        var messages = reader.ReadMessages().ToList();
        return messages.Count(m => m.FileOffset == chunkOffset && reader.Channels[m.ChannelId].Topic == Robotics.Protos.TeleopLog.TeleopTopics.Step);
    }

    /// <summary>Every top-level record of an intact file, in order: offset, opcode and content length.</summary>
    public static IReadOnlyList<(long Offset, McapOpcode Opcode, long Length)> Records(byte[] file)
    {
        var records = new List<(long, McapOpcode, long)>();
        long position = McapLayout.Magic.Length;
        while (position < file.Length - McapLayout.Magic.Length)
        {
            long length = (long)BitConverter.ToUInt64(file, (int)position + 1);
            records.Add((position, (McapOpcode)file[position], length));
            position += McapLayout.RecordPrefixLength + length;
        }
        return records;
    }

    /// <summary>Where the summary section starts (from the footer).</summary>
    public static long SummaryStart(byte[] file) =>
        (long)BitConverter.ToUInt64(file, file.Length - 8 - 20);
}
