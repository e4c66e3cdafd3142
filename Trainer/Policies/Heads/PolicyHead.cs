using Robotics.Trainer.Data;
using Robotics.Trainer.Onnx;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Policies.Heads;

/// <summary>The loss and its gradient with respect to the last layer's output, as graph values.</summary>
public sealed record HeadLoss(string Loss, string OutputGradient);

/// <summary>One ONNX output of the policy: its name in the policy contract and its width, [N, width].</summary>
public sealed record HeadOutput(string Name, int Width);

/// <summary>
/// A kind of policy head as the trainer sees it: what the network's last layer means, and everything that follows
/// from that — which actions it learns from and how they are normalized, what the policy emits, the loss and its
/// hand-derived gradient (docs/bc-math.md), the training target's element type, the export's way back to raw
/// units, the validation scores and the uncertainty the help threshold is set in. Each subclass is one file, so
/// adding a head (docs/policy-heads.md) adds a file and a line in <see cref="PolicyHeads"/>, and nothing else
/// asks which head a policy has. Heads hold no state: one instance serves every run.
/// </summary>
public abstract class PolicyHead
{
    /// <summary>The kind as the policy file's metadata names it (robotics.kind), and as --kind takes it.</summary>
    public abstract string MetadataName { get; }

    /// <summary>The kind for people: "Gaussian BC on sim:reach".</summary>
    public abstract string Title { get; }

    /// <summary>
    /// Whether the head learns from a discrete action index (the log's discrete actions) rather than continuous
    /// action values: the data loader matches it against the logs.
    /// </summary>
    public abstract bool ActsDiscretely { get; }

    /// <summary>The name of the per-sample uncertainty the help threshold is in (robotics.help_uncertainty).</summary>
    public abstract string UncertaintyMeasure { get; }

    /// <summary>
    /// What <see cref="Training.Evaluation.Mse"/> measures for this head, as charts and progress lines name it
    /// ("MSE of the mean action"; "MSE" where room is short), and its unit (empty when it has none).
    /// </summary>
    public abstract (string Name, string Short, string Unit) SquaredError { get; }

    /// <summary>Whether K networks of this head can be trained and exported as one ensemble (docs/bc-math.md#the-ensemble).</summary>
    public virtual bool SupportsEnsembles => false;

    /// <summary>The fewest actions (dimensions or choices) the head can model.</summary>
    public abstract int MinimumActions { get; }

    /// <summary>The policy's action count for these demonstrations: action dimensions or discrete choices.</summary>
    public abstract int ActionSize(Demonstrations source);

    /// <summary>
    /// Mean and std the training targets are standardized with (and the export undoes), from the training
    /// episodes' actions ([rows, width], raw units); empty when the targets are not standardized.
    /// </summary>
    public abstract (float[] Mean, float[] Std) ActionStatistics(ReadOnlySpan<float> actions, int width, double stdFloor);

    /// <summary>The action limits the policy metadata declares (robotics.action_low and robotics.action_high).</summary>
    public abstract (float[] Low, float[] High) ActionRange(Demonstrations source);

    /// <summary>Width of the network's last layer for a policy of <paramref name="shape"/> (its actions, its components).</summary>
    public abstract int Width(PolicyShape shape);

    /// <summary>The policy's ONNX outputs, in the order <see cref="Forward"/> returns them.</summary>
    public abstract IReadOnlyList<HeadOutput> Outputs(PolicyShape shape);

    /// <summary>What the policy file's metadata says about this head beyond its kind (a mixture: its component count).</summary>
    public virtual IEnumerable<KeyValuePair<string, string>> Metadata(PolicyShape shape) => [];

    /// <summary>The policy's outputs (normalized units) from the last layer's output.</summary>
    public abstract IReadOnlyList<string> Forward(GraphBuilder g, PolicyShape shape, string layerOutput);

    /// <summary>The exported policy's outputs in raw units, from <see cref="Forward"/>'s.</summary>
    public abstract IReadOnlyList<string> ToRawUnits(GraphBuilder g, PolicyShape shape, Normalization normalization, IReadOnlyList<string> outputs);

    /// <summary>Declares the training graph's target input <paramref name="name"/> with its element type and shape.</summary>
    public abstract string TargetInput(GraphBuilder g, string name, PolicyShape shape, int batchSize);

    /// <summary>The batch-mean loss and its gradient with respect to the last layer's output.</summary>
    /// <param name="target">The input <see cref="TargetInput"/> declared.</param>
    public abstract HeadLoss Loss(GraphBuilder g, PolicyShape shape, string layerOutput, string target, int batchSize);

    /// <summary>The host buffer for a batch of targets drawn from <paramref name="source"/>, shaped as <see cref="TargetInput"/>.</summary>
    public abstract TargetBatch BatchTargets(SampleSet source, PolicyShape shape, int batchSize);

    /// <summary>Validation figures from the policy's outputs on every sample (in <see cref="Outputs"/> order, row-major).</summary>
    public abstract Training.Evaluation Score(PolicyShape shape, IReadOnlyList<float[]> outputs, SampleSet samples, Normalization normalization);

    public override string ToString() => Title;
}
