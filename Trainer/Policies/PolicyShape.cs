using Robotics.Protos.Policy;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Policies;

/// <summary>One trainable tensor of the MLP.</summary>
/// <param name="IsWeight">True for weight matrices (which weight decay applies to), false for biases.</param>
public sealed record ParameterSpec(string Name, long[] Dims, bool IsWeight)
{
    public int Count => (int)Dims.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The network: observations → hidden layers → the head's last layer (its width is the head's: 2·actions for
/// Gaussian, mean then log σ; n_actions logits for categorical; K logits then K means and K log σ per action
/// for a mixture of K). An ensemble (<see cref="EnsembleMembers"/> above 1) is K such networks side by side: every
/// parameter gains a leading member axis and every layer's values are [K, batch, width] (docs/bc-math.md#the-ensemble).
/// Validated when built.
/// </summary>
public sealed record PolicyShape
{
    public PolicyShape(PolicyHead head, int observations, int actions, IReadOnlyList<int> hidden, Activation activation,
        double leakySlope = 0.01, double logStdMin = -5, double logStdMax = 2, int mixtureComponents = 5, int ensembleMembers = 1)
    {
        if (observations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(observations), observations, "observations: needs at least one");
        }
        if (actions < head.MinimumActions)
        {
            throw new ArgumentOutOfRangeException(nameof(actions), actions, $"actions: a {head.MetadataName} policy needs at least {head.MinimumActions}");
        }
        if (hidden.Count == 0 || hidden.Any(h => h < 1))
        {
            throw new ArgumentException("hidden: needs at least one layer, each of at least one unit", nameof(hidden));
        }
        if (!(leakySlope is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(leakySlope), leakySlope, "leakySlope: must be in [0, 1)");
        }
        if (!(logStdMin < logStdMax) || !double.IsFinite(logStdMin) || !double.IsFinite(logStdMax))
        {
            throw new ArgumentException($"logStdMin/logStdMax: need a finite range with min < max, got [{logStdMin}, {logStdMax}]", nameof(logStdMin));
        }
        if (mixtureComponents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(mixtureComponents), mixtureComponents, "mixtureComponents: needs at least one");
        }
        if (ensembleMembers is < 1 or > MaxEnsembleMembers)
        {
            throw new ArgumentOutOfRangeException(nameof(ensembleMembers), ensembleMembers, $"ensembleMembers: from 1 to {MaxEnsembleMembers}");
        }
        if (ensembleMembers > 1 && !head.SupportsEnsembles)
        {
            // No parameter name: this is what `trainer train --ensemble` prints, one line.
            throw new ArgumentException($"--ensemble {ensembleMembers}: a {head.MetadataName} policy cannot be an ensemble; only {string.Join(", ", PolicyHeads.All.Where(h => h.SupportsEnsembles).Select(h => h.MetadataName))} policies can");
        }
        Head = head;
        EnsembleMembers = ensembleMembers;
        MixtureComponents = mixtureComponents;
        Observations = observations;
        Actions = actions;
        Hidden = [.. hidden];
        Activation = activation;
        LeakySlope = leakySlope;
        LogStdMin = logStdMin;
        LogStdMax = logStdMax;
    }

    /// <summary>What the last layer means: its outputs, loss, targets and scores.</summary>
    public PolicyHead Head { get; }

    public int Observations { get; }

    /// <summary>Action dimensions (Gaussian) or number of discrete actions (categorical).</summary>
    public int Actions { get; }

    public IReadOnlyList<int> Hidden { get; }

    public Activation Activation { get; }

    public double LeakySlope { get; }

    /// <summary>Gaussian head: the clamp on log σ (normalized action units), so the NLL cannot run to −∞ on repeated actions.</summary>
    public double LogStdMin { get; }

    /// <inheritdoc cref="LogStdMin"/>
    public double LogStdMax { get; }

    /// <summary>Gaussian mixture head: how many components (K); other heads ignore it.</summary>
    public int MixtureComponents { get; }

    /// <inheritdoc cref="PolicyContract.MaxEnsembleMembers"/>
    public const int MaxEnsembleMembers = PolicyContract.MaxEnsembleMembers;

    /// <summary>How many networks the policy averages (1: a single network, exactly as without ensembles).</summary>
    public int EnsembleMembers { get; }

    public bool IsEnsemble => EnsembleMembers > 1;

    /// <summary>The axis of a layer's units: 1 in a single network's [batch, width], 2 in an ensemble's [K, batch, width].</summary>
    public long UnitAxis => IsEnsemble ? 2 : 1;

    /// <summary>Width of the last layer, as the head needs it.</summary>
    public int HeadOutputs => Head.Width(this);

    /// <summary>Layer widths from input to head: observations, hidden..., head outputs.</summary>
    public IReadOnlyList<int> Widths => [Observations, .. Hidden, HeadOutputs];

    /// <summary>
    /// Weights W{i} [in, out] and biases b{i} [out], layer by layer; an ensemble's are [K, in, out] and [K, 1, out]
    /// (the bias broadcasts over the batch axis of [K, batch, out]).
    /// </summary>
    public IReadOnlyList<ParameterSpec> Parameters
    {
        get
        {
            var widths = Widths;
            var parameters = new List<ParameterSpec>();
            for (int layer = 0; layer + 1 < widths.Count; layer++)
            {
                long[] weight = [widths[layer], widths[layer + 1]];
                long[] bias = IsEnsemble ? [1, widths[layer + 1]] : [widths[layer + 1]];
                parameters.Add(new ParameterSpec($"W{layer}", IsEnsemble ? [EnsembleMembers, .. weight] : weight, IsWeight: true));
                parameters.Add(new ParameterSpec($"b{layer}", IsEnsemble ? [EnsembleMembers, .. bias] : bias, IsWeight: false));
            }
            return parameters;
        }
    }
}
