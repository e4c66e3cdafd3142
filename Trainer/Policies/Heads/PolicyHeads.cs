namespace Robotics.Trainer.Policies.Heads;

/// <summary>
/// The heads the trainer knows, found by name (--kind, a run's config.json) or by the logs' action space. The
/// first head of each action space is the one its logs get when no --kind is given.
/// </summary>
public static class PolicyHeads
{
    public static IReadOnlyList<PolicyHead> All { get; } = [new GaussianHead(), new CategoricalHead(), new GaussianMixtureHead()];

    /// <summary>Every head's <see cref="PolicyHead.MetadataName"/>: what --kind accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(h => h.MetadataName)];

    /// <summary>The head of that name, or null (for no name, or one this trainer does not know).</summary>
    public static PolicyHead? Named(string? metadataName) => All.FirstOrDefault(h => h.MetadataName == metadataName);

    /// <summary>The default head for logs with discrete (or continuous) actions.</summary>
    public static PolicyHead For(bool discreteActions) => All.First(h => h.ActsDiscretely == discreteActions);
}
