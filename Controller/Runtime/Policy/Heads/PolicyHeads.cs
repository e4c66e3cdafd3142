using Robotics.Protos.Log;

namespace Robotics.Controller.Policy.Heads;

/// <summary>The heads the runtime knows, found by the name a policy file gives or the kind a record carries.</summary>
public static class PolicyHeads
{
    // An array, searched by index: Of runs for every telemetry frame and every recorded step, and enumerating
    // through IReadOnlyList would allocate an enumerator each time.
    private static readonly PolicyHead[] Heads = [new GaussianHead(), new CategoricalHead(), new GaussianMixtureHead()];

    public static IReadOnlyList<PolicyHead> All => Heads;

    /// <summary>The head a policy file's metadata names, or null for a kind this runtime does not know.</summary>
    public static PolicyHead? Named(string metadataName) => Array.Find(Heads, h => h.MetadataName == metadataName);

    /// <summary>The head of a record's <see cref="HeadKind"/> (not None). Allocation-free.</summary>
    public static PolicyHead Of(HeadKind kind)
    {
        for (int i = 0; i < Heads.Length; i++)
        {
            if (Heads[i].Kind == kind)
            {
                return Heads[i];
            }
        }
        throw new ArgumentOutOfRangeException(nameof(kind), kind, "no policy head of this kind");
    }
}
