using Robotics.Protos.Log;

namespace Robotics.Controller.Policy.Heads;

/// <summary>The heads the runtime knows, found by the name a policy file gives or the kind a record carries.</summary>
public static class PolicyHeads
{
    public static IReadOnlyList<PolicyHead> All { get; } = [new GaussianHead(), new CategoricalHead()];

    /// <summary>The head a policy file's metadata names, or null for a kind this runtime does not know.</summary>
    public static PolicyHead? Named(string metadataName) => All.FirstOrDefault(h => h.MetadataName == metadataName);

    /// <summary>The head of a record's <see cref="HeadKind"/> (not None).</summary>
    public static PolicyHead Of(HeadKind kind)
    {
        foreach (var head in All)
        {
            if (head.Kind == kind)
            {
                return head;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(kind), kind, "no policy head of this kind");
    }
}
