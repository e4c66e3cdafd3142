using Robotics.Protos.Log;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Data;

/// <summary>One episode's expert samples: observations [steps, obs] and actions [steps, act] or labels [steps].</summary>
public sealed record DemoEpisode(string Source, ulong Id, int Steps, float[] Observations, float[] Actions, long[] Labels)
{
    /// <summary>How the episode ended (what <c>--weight-outcome</c> weighs).</summary>
    public EpisodeOutcome Outcome { get; init; }

    /// <summary>Who drove each step (what <c>--weight-operator</c> weighs); empty when nobody is named.</summary>
    public string[] Operators { get; init; } = [];

    /// <summary>Each step's sampling weight (<see cref="DemonstrationWeighting"/>); empty when every step weighs 1.</summary>
    public float[] Weights { get; init; } = [];

    /// <summary>The split side its dataset gives it (robomimic's masks); null to let the seeded split place it.</summary>
    public SplitSide? Split { get; init; }

    public string OperatorOf(int step) => Operators.Length == 0 ? "" : Operators[step];

    public float WeightOf(int step) => Weights.Length == 0 ? 1 : Weights[step];
}

/// <summary>
/// Expert demonstrations gathered from teleop logs, all sharing one robot signature (observation names,
/// action names, discrete actions), with what was left out and why.
/// </summary>
public sealed class Demonstrations
{
    /// <summary>The policy head these demonstrations train.</summary>
    public required PolicyHead Kind { get; init; }
    public required string Robot { get; init; }
    public required double ControlRateHz { get; init; }
    public required IReadOnlyList<string> ObservationNames { get; init; }
    public required IReadOnlyList<string> ActionNames { get; init; }
    public required IReadOnlyList<string> DiscreteActionNames { get; init; }
    public required IReadOnlyList<DemoEpisode> Episodes { get; init; }

    /// <summary>Steps dropped because an observation or action held NaN or infinity.</summary>
    public long SkippedNonFinite { get; init; }

    /// <summary>The first of those steps; null when none was skipped.</summary>
    public StepLocation? FirstNonFinite { get; init; }

    /// <summary>Steps not from an expert (policy or safety actions), which BC must not imitate.</summary>
    public long SkippedNonExpert { get; init; }

    /// <summary>Episodes left out by the success-only filter.</summary>
    public int SkippedEpisodesByOutcome { get; init; }

    /// <summary>What reading the logs noticed (messages on unknown topics, damaged schemas), each naming its file.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The data per outcome and per operator, with the weights they were given (<see cref="DemonstrationWeighting"/>).</summary>
    public DataComposition Composition { get; init; } = DataComposition.Empty;

    public int ObservationSize => ObservationNames.Count;

    /// <summary>Action dimensions (Gaussian) or discrete actions (categorical): the policy's output size.</summary>
    public int ActionSize => Kind.ActionSize(this);

    public long SampleCount => Episodes.Sum(e => (long)e.Steps);

    /// <summary>
    /// The smallest and largest expert action per action entry, raw units, when they were measured while the samples
    /// were streamed (no <see cref="Episodes"/> in memory); null to measure <see cref="Episodes"/>.
    /// </summary>
    public (float[] Low, float[] High)? StreamedActionExtremes { get; init; }

    /// <summary>The smallest and largest expert action per action entry, raw units.</summary>
    public (float[] Low, float[] High) ActionExtremes()
    {
        if (StreamedActionExtremes is { } streamed)
        {
            return streamed;
        }
        var moments = new RunningMoments(ActionNames.Count);
        foreach (var episode in Episodes)
        {
            moments.Add(episode.Actions);
        }
        return moments.Extremes();
    }
}
