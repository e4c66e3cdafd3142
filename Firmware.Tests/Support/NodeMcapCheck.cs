using System.Text.Json;

namespace Robotics.Tests.Support;

/// <summary>One message as the reference reader saw it: enough to tell whether it reached a recovered file intact.</summary>
public sealed record ReferenceMessage(ushort ChannelId, uint Sequence, ulong LogTime, string DataSha256);

/// <summary>
/// Runs the scripts of Firmware.Tests/mcap-reference with node: the reference TypeScript MCAP library
/// (@mcap/core) reading our files, listing the chunks of a damaged file that pass their CRC, and writing files
/// the way another tool would.
/// </summary>
public static class NodeMcapCheck
{
    /// <summary>check.mjs: CRCs, message counts, a decoded step.</summary>
    public static JsonElement Run(string mcapPath) => Node("check.mjs", mcapPath);

    /// <summary>
    /// chunks.mjs: for each file, every message in a chunk that @mcap/core's record parser finds intact (any offset
    /// holding the Chunk opcode; it decompresses to its declared size and passes its CRC).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ReferenceMessage>> MessagesInCrcValidChunks(IReadOnlyList<string> paths)
    {
        var result = new Dictionary<string, IReadOnlyList<ReferenceMessage>>();
        // One node process per batch of files keeps a fuzz run to a few process starts.
        foreach (var batch in paths.Chunk(200))
        {
            var json = Node("chunks.mjs", batch);
            foreach (var path in batch)
            {
                result[path] = [.. json.GetProperty(path).EnumerateArray()
                    .SelectMany(chunk => chunk.GetProperty("messages").EnumerateArray())
                    .Select(m => new ReferenceMessage((ushort)m[0].GetInt32(), m[1].GetUInt32(), ulong.Parse(m[2].GetString()!), m[3].GetString()!))];
            }
        }
        return result;
    }

    /// <summary>rewrite.mjs: <paramref name="input"/>'s messages written by @mcap/core's writer, without a chunk index (<c>--no-chunk-index</c>) or without chunks (<c>--no-chunks</c>).</summary>
    public static void Rewrite(string input, string output, string mode) => Node("rewrite.mjs", input, output, mode);

    private static JsonElement Node(string script, params string[] args) =>
        JsonDocument.Parse(NodeScripts.Run("mcap-reference", "@mcap/core", script, args)).RootElement.Clone();
}
