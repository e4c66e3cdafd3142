using Robotics.Protos.Log;

namespace Robotics.Trainer.Data;

/// <summary>Episode outcomes as <c>--weight-outcome</c> and the training report name them.</summary>
public static class OutcomeNames
{
    private static readonly (string Name, EpisodeOutcome Outcome)[] Table =
    [
        ("success", EpisodeOutcome.Success),
        ("failure", EpisodeOutcome.Failure),
        ("aborted", EpisodeOutcome.Aborted),
        // No end in the log: the recording stopped first, or the recorder lost the end record.
        ("unspecified", EpisodeOutcome.Unspecified),
    ];

    /// <summary>Every name, in the order reports list them.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Table.Select(t => t.Name)];

    /// <summary>The outcome <see cref="Of"/> names <paramref name="name"/>; null for a name it never gives.</summary>
    public static EpisodeOutcome? Named(string name) => Table.Where(t => t.Name == name).Select(t => (EpisodeOutcome?)t.Outcome).FirstOrDefault();

    public static string Of(EpisodeOutcome outcome) => Table.FirstOrDefault(t => t.Outcome == outcome).Name ?? "unspecified";
}
