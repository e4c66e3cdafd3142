using System.Security.Cryptography;
using Robotics.Protos.Mcap;

namespace Robotics.Tests.Support;

/// <summary>Compares what recovery wrote with what the reference reader found intact in the damaged file.</summary>
public static class RecoveredMessages
{
    /// <summary>
    /// The messages of <paramref name="intact"/> (as the reference reader listed them, channel ids of the
    /// undamaged <paramref name="original"/>) that <paramref name="recovered"/> does not hold byte for byte.
    /// </summary>
    public static List<string> Missing(string original, IEnumerable<ReferenceMessage> intact, string recovered)
    {
        Dictionary<ushort, string> topics;
        using (var reader = McapIndexedReader.Open(original))
        {
            topics = reader.Channels.Values.ToDictionary(c => c.Id, c => c.Topic);
        }
        var held = Of(recovered);
        return [.. intact
            .Select(m => (Topic: topics.GetValueOrDefault(m.ChannelId, $"channel {m.ChannelId}"), m.Sequence, m.LogTime, m.DataSha256))
            .Where(key => !held.Contains(key))
            .Select(key => $"{key.Topic} #{key.Sequence} at {key.LogTime}")];
    }

    /// <summary>Topic, sequence, log time and SHA-256 of the data of every message in a closed file.</summary>
    public static HashSet<(string Topic, uint Sequence, ulong LogTime, string DataSha256)> Of(string path)
    {
        using var reader = McapIndexedReader.Open(path);
        return [.. reader.ReadMessages().Select(m => (reader.Channels[m.ChannelId].Topic, m.Sequence, m.LogTime, Convert.ToHexStringLower(SHA256.HashData(m.Data.Span))))];
    }
}
