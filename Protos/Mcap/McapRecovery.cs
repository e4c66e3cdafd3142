using System.Globalization;

namespace Robotics.Protos.Mcap;

/// <summary>What <see cref="McapRecovery.Recover"/> rescued and what it had to leave behind.</summary>
public sealed record McapRecoveryReport(
    string InputPath,
    string OutputPath,
    long Messages,
    bool InputWasClosed,
    long InputLength,
    long ValidLength,
    IReadOnlyList<McapIssue> Issues);

/// <summary>
/// Rescues a cut or damaged MCAP file: reads it front to back, keeping every chunk that passes its CRC and
/// skipping (and reporting) those that do not, and writes what it kept to a new file with a summary, so
/// indexed readers and viewers open it again.
/// </summary>
public static class McapRecovery
{
    public static McapRecoveryReport Recover(string inputPath, string outputPath, McapWriterOptions? writerOptions = null)
    {
        if (Path.GetFullPath(inputPath) == Path.GetFullPath(outputPath))
        {
            throw new ArgumentException($"{outputPath}: recovery writes a new file; the output must differ from the input", nameof(outputPath));
        }
        using var reader = new McapSequentialReader(inputPath, McapReadOptions.Recover);
        long inputLength = new FileInfo(inputPath).Length;
        string temporary = outputPath + ".partial";
        long messages = 0;
        var writer = new McapWriter(new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), writerOptions);
        try
        {
            var schemaIds = new Dictionary<ushort, ushort>();
            var channelIds = new Dictionary<ushort, ushort>();
            foreach (var message in reader.ReadMessages())
            {
                if (!channelIds.TryGetValue(message.ChannelId, out ushort channelId))
                {
                    channelId = CopyChannel(reader, message.ChannelId, writer, schemaIds);
                    channelIds.Add(message.ChannelId, channelId);
                }
                writer.WriteMessage(channelId, message.Sequence, message.LogTime, message.PublishTime, message.Data.Span);
                messages++;
            }
            foreach (var metadata in reader.Metadata)
            {
                writer.WriteMetadata(metadata.Name, metadata.Values);
            }
            writer.WriteMetadata("recovery", new Dictionary<string, string>
            {
                ["source"] = Path.GetFileName(inputPath),
                ["source_bytes"] = inputLength.ToString(CultureInfo.InvariantCulture),
                ["valid_bytes"] = reader.ValidLength.ToString(CultureInfo.InvariantCulture),
                ["messages"] = messages.ToString(CultureInfo.InvariantCulture),
                ["issues"] = string.Join("; ", reader.Issues),
            });
            writer.Dispose();
            File.Move(temporary, outputPath, overwrite: true);
        }
        catch
        {
            writer.Dispose();
            File.Delete(temporary);
            throw;
        }
        return new McapRecoveryReport(inputPath, outputPath, messages, reader.ReachedFooter, inputLength, reader.ValidLength, reader.Issues);
    }

    private static ushort CopyChannel(McapSequentialReader reader, ushort sourceId, McapWriter writer, Dictionary<ushort, ushort> schemaIds)
    {
        var channel = reader.Channels[sourceId];
        ushort schemaId = 0;
        if (channel.SchemaId != 0 && !schemaIds.TryGetValue(channel.SchemaId, out schemaId))
        {
            var schema = reader.Schemas[channel.SchemaId];
            schemaId = writer.AddSchema(schema.Name, schema.Encoding, schema.Data.Span);
            schemaIds.Add(channel.SchemaId, schemaId);
        }
        return writer.AddChannel(schemaId, channel.Topic, channel.MessageEncoding, channel.Metadata);
    }
}
