using Google.Protobuf;
using Robotics.Protos.Hashing;
using Robotics.Protos.Onnx;

namespace Robotics.Protos.Policy;

/// <summary>Whether a policy file's content was checked against the digest its exporter stamped into it.</summary>
public enum PolicyIntegrity
{
    /// <summary>The file carries a digest and its content matches it.</summary>
    Verified,

    /// <summary>The file carries no digest (exported before digests, or by another tool): damage cannot be detected.</summary>
    NotStamped,

    /// <summary>The content differs from the stamped digest (or the digest itself is damaged): the file changed after export.</summary>
    Mismatch,
}

/// <summary>
/// A SHA-256 of a policy's whole model (graph, weights and metadata, all but the digest entry itself), stamped into
/// its metadata at export and checked at load. A bit flipped in a weight leaves a model ONNX Runtime loads and runs
/// with different actions and no error; a robot must not be driven by it. This detects damage (a bad SD card, a
/// truncated copy, a hand edit), not tampering: anyone who can write the file can write a new digest.
/// </summary>
public static class PolicyDigest
{
    /// <summary>Writes the digest of <paramref name="model"/>'s content into its metadata, replacing an older one.</summary>
    public static void Stamp(ModelProto model)
    {
        RemoveDigest(model);
        model.MetadataProps.Add(new StringStringEntryProto { Key = PolicyContract.Keys.ContentDigest, Value = Compute(model) });
    }

    /// <summary>
    /// Checks the policy file <paramref name="bytes"/> (read from <paramref name="path"/>) against its stamped digest.
    /// Throws <see cref="InvalidDataException"/> naming the file when it is not a model or its content changed.
    /// </summary>
    public static PolicyIntegrity Verify(byte[] bytes, string path)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Unparsable(path, e);
        }
        var integrity = Check(model);
        if (integrity == PolicyIntegrity.Mismatch)
        {
            throw new InvalidDataException(
                $"{path}: the file changed after export: its content does not match the digest the trainer stamped into it " +
                $"({PolicyContract.Keys.ContentDigest}), so its weights cannot be trusted; copy it again or re-export it");
        }
        return integrity;
    }

    /// <summary>The error for a file that does not parse as an ONNX model, whichever parser found it.</summary>
    public static InvalidDataException Unparsable(string path, Exception cause) =>
        new($"{path}: not an ONNX model, or a damaged one: it does not parse (a truncated or corrupted file?)", cause);

    /// <summary>Compares <paramref name="model"/>'s content with its stamped digest.</summary>
    public static PolicyIntegrity Check(ModelProto model)
    {
        var stamped = model.MetadataProps.Where(p => p.Key == PolicyContract.Keys.ContentDigest).Select(p => p.Value).ToList();
        if (stamped.Count == 0)
        {
            return PolicyIntegrity.NotStamped;
        }
        var content = model.Clone();
        RemoveDigest(content);
        return stamped.Count == 1 && stamped[0] == Compute(content) ? PolicyIntegrity.Verified : PolicyIntegrity.Mismatch;
    }

    private static string Compute(ModelProto model) => Convert.ToHexStringLower(Sha256.Hash(model.ToByteArray()));

    private static void RemoveDigest(ModelProto model)
    {
        foreach (var entry in model.MetadataProps.Where(p => p.Key == PolicyContract.Keys.ContentDigest).ToList())
        {
            model.MetadataProps.Remove(entry);
        }
    }
}
