using Robotics.Controller.Policy;
using Robotics.Protos.Log;

namespace Robotics.Controller.Loop;

/// <summary>When the robot asks for help (ThriftyDAgger's rule, docs/bc-math.md#the-help-triggers).</summary>
public sealed record HelpOptions
{
    /// <summary>The observation |z| threshold for policy files that do not set one (from before the trainer did).</summary>
    public const double DefaultObservationZThreshold = 6;

    /// <summary>Ask when the policy's uncertainty exceeds this; null takes the policy file's threshold.</summary>
    public double? UncertaintyThreshold { get; init; }

    /// <summary>The uncertainty threshold in force for a policy of <paramref name="metadata"/>.</summary>
    public double ThresholdFor(PolicyMetadata metadata) => UncertaintyThreshold ?? metadata.HelpThreshold;

    /// <summary>
    /// Ask when an observation lies this many training standard deviations from the training mean; null takes the
    /// policy file's threshold, or <see cref="DefaultObservationZThreshold"/> for a file without one.
    /// </summary>
    public double? ObservationZThreshold { get; init; }

    /// <summary>The observation |z| threshold in force for a policy of <paramref name="metadata"/>.</summary>
    public double ObservationZThresholdFor(PolicyMetadata metadata) =>
        ObservationZThreshold ?? metadata.HelpObservationZThreshold ?? DefaultObservationZThreshold;

    /// <summary>...for this many consecutive ticks (one unsure tick is noise, a run of them is a situation).</summary>
    public int ConsecutiveTicks { get; init; } = 5;

    /// <summary>Send the safe action while asking, until an operator takes over.</summary>
    public bool Pause { get; init; }
}

/// <summary>
/// Watches each tick the policy ran on with every help trigger the policy has, each against its own threshold: its
/// uncertainty in its head's measure (the one the trainer's threshold is in: see
/// <see cref="Policy.Heads.PolicyHead.Uncertainty"/>), an ensemble's novelty (its members' disagreement), and how far the
/// observation lies from the training data (largest |z| against the normalization statistics). A tick any trigger
/// fires on is unsure; a run of unsure ticks raises one help request, which stands until the run ends. Allocation-free.
/// </summary>
public sealed class HelpMonitor(PolicyRunner policy, HelpOptions options)
{
    private readonly double _threshold = options.ThresholdFor(policy.Metadata);
    // A single network's novelty is always 0 and has no threshold: it never fires.
    private readonly double _noveltyThreshold = policy.Metadata.HelpNoveltyThreshold ?? double.PositiveInfinity;
    private readonly double _observationZThreshold = options.ObservationZThresholdFor(policy.Metadata);
    private int _streak;

    /// <summary>The help request is standing (the run reached the required length and has not ended).</summary>
    public bool Requesting => _streak >= options.ConsecutiveTicks;

    public double LastUncertainty { get; private set; }

    /// <summary>The last tick's novelty: 0 for a single network.</summary>
    public double LastNovelty { get; private set; }

    public double LastObservationZ { get; private set; }

    /// <summary>The triggers that fired on the last tick, an OR of <see cref="HelpTrigger"/> bits.</summary>
    public uint LastTriggers { get; private set; }

    public bool Pauses => options.Pause;

    /// <summary>Judges the tick just inferred; true exactly when this tick raises a new request.</summary>
    public bool Observe(ReadOnlySpan<float> observation)
    {
        LastUncertainty = policy.Head.Uncertainty(policy.Outputs, policy.Metadata);
        LastNovelty = policy.Novelty;
        LastObservationZ = ObservationZ(observation);
        LastTriggers = Fired(LastUncertainty > _threshold, HelpTrigger.Uncertainty)
            | Fired(LastNovelty > _noveltyThreshold, HelpTrigger.Novelty)
            | Fired(LastObservationZ > _observationZThreshold, HelpTrigger.ObservationZ);
        _streak = LastTriggers != 0 ? _streak + 1 : 0;
        return _streak == options.ConsecutiveTicks;
    }

    /// <summary>Forgets the run (a new episode, an operator took over).</summary>
    public void Reset() => _streak = 0;

    private static uint Fired(bool over, HelpTrigger trigger) => over ? (uint)trigger : 0;

    private double ObservationZ(ReadOnlySpan<float> observation)
    {
        var mean = policy.Metadata.ObservationMean;
        var std = policy.Metadata.ObservationStd;
        double worst = 0;
        for (int i = 0; i < observation.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(observation[i] - mean[i]) / std[i]);
        }
        return worst;
    }
}
