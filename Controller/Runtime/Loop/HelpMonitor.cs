using Robotics.Controller.Policy;

namespace Robotics.Controller.Loop;

/// <summary>When the robot asks for help (ThriftyDAgger's rule, docs/bc-math.md#the-help-threshold).</summary>
public sealed record HelpOptions
{
    /// <summary>Ask when the policy's uncertainty exceeds this; null takes the policy file's threshold.</summary>
    public double? UncertaintyThreshold { get; init; }

    /// <summary>The uncertainty threshold in force for a policy of <paramref name="metadata"/>.</summary>
    public double ThresholdFor(Policy.PolicyMetadata metadata) => UncertaintyThreshold ?? metadata.HelpThreshold;

    /// <summary>Ask when an observation lies this many training standard deviations from the training mean.</summary>
    public double ObservationZThreshold { get; init; } = 6;

    /// <summary>...for this many consecutive ticks (one unsure tick is noise, a run of them is a situation).</summary>
    public int ConsecutiveTicks { get; init; } = 5;

    /// <summary>Send the safe action while asking, until an operator takes over.</summary>
    public bool Pause { get; init; }
}

/// <summary>
/// Watches each tick the policy ran on: its uncertainty in its head's measure (the one the trainer's threshold
/// is in: see <see cref="Policy.Heads.PolicyHead.Uncertainty"/>) and how far the observation lies from the training data (largest |z| against the normalization
/// statistics). A run of unsure ticks raises one help request; the request stands until the run ends.
/// Allocation-free.
/// </summary>
public sealed class HelpMonitor(PolicyRunner policy, HelpOptions options)
{
    private readonly double _threshold = options.ThresholdFor(policy.Metadata);
    private int _streak;

    /// <summary>The help request is standing (the run reached the required length and has not ended).</summary>
    public bool Requesting => _streak >= options.ConsecutiveTicks;

    public double LastUncertainty { get; private set; }

    public double LastObservationZ { get; private set; }

    public bool Pauses => options.Pause;

    /// <summary>Judges the tick just inferred; true exactly when this tick raises a new request.</summary>
    public bool Observe(ReadOnlySpan<float> observation)
    {
        LastUncertainty = policy.Head.Uncertainty(policy.Outputs, policy.Metadata);
        LastObservationZ = ObservationZ(observation);
        bool unsure = LastUncertainty > _threshold || LastObservationZ > options.ObservationZThreshold;
        _streak = unsure ? _streak + 1 : 0;
        return _streak == options.ConsecutiveTicks;
    }

    /// <summary>Forgets the run (a new episode, an operator took over).</summary>
    public void Reset() => _streak = 0;

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
