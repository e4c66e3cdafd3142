using Robotics.Protos;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Policy.Heads;

/// <summary>
/// Continuous actions from a mixture of K diagonal Gaussians, in raw action units; the output block is the K mixture
/// logits, then every component's means, then every component's log σ (component k's action entries at k·A … k·A + A − 1
/// of each). Deployment acts with the most likely component's mean, or draws a component from softmax(logits) and then
/// μ + σ·ε from it; uncertainty is the Gaussian head's measure of the most likely component, the one the robot acts on
/// (docs/bc-math.md#the-gaussian-mixture-head).
/// </summary>
public sealed class GaussianMixtureHead : PolicyHead
{
    public override HeadKind Kind => HeadKind.GaussianMixture;

    public override string MetadataName => PolicyContract.GaussianMixtureKind;

    public override bool ActsDiscretely => false;

    public override IReadOnlyList<HeadTensor> Tensors(PolicyMetadata metadata)
    {
        int k = metadata.MixtureComponents;
        int width = k * metadata.ActionNames.Count;
        return
        [
            new HeadTensor(PolicyContract.MixtureLogitsOutput, 0, k),
            new HeadTensor(PolicyContract.ComponentMeansOutput, k, width),
            new HeadTensor(PolicyContract.ComponentLogStdsOutput, k + width, width),
        ];
    }

    public override void SelectAction(ReadOnlySpan<float> outputs, Span<float> action, bool stochastic, LoopRandom random)
    {
        var block = new Block(outputs, action.Length);
        int component = stochastic ? Logits.Sample(block.MixtureLogits, random) : block.Mode;
        var mean = block.Means(component);
        var logStd = block.LogStds(component);
        for (int i = 0; i < action.Length; i++)
        {
            action[i] = stochastic ? (float)(mean[i] + Math.Exp(logStd[i]) * random.NextGaussian()) : mean[i];
        }
    }

    public override double Uncertainty(ReadOnlySpan<float> outputs, PolicyMetadata metadata)
    {
        var block = new Block(outputs, metadata.ActionNames.Count);
        var logStd = block.LogStds(block.Mode);
        double worst = 0;
        for (int i = 0; i < logStd.Length; i++)
        {
            worst = Math.Max(worst, Math.Exp(logStd[i]) / metadata.ActionStd[i]);
        }
        return worst;
    }

    /// <summary>The mode's μ and log σ where a Gaussian's go, the logits, and every component's.</summary>
    public override void WriteStep(ReadOnlySpan<float> outputs, int actions, Step step)
    {
        var block = new Block(outputs, actions);
        step.PolicyHead = HeadKind.GaussianMixture;
        step.PolicyMean.ReplaceWith(block.Means(block.Mode));
        step.PolicyLogStd.ReplaceWith(block.LogStds(block.Mode));
        step.PolicyLogits.ReplaceWith(block.MixtureLogits);
        step.ComponentMeans.ReplaceWith(block.AllMeans);
        step.ComponentLogStds.ReplaceWith(block.AllLogStds);
    }

    public override void WriteTelemetry(ReadOnlySpan<float> outputs, int actions, TelemetryFrame frame)
    {
        var block = new Block(outputs, actions);
        var message = frame.GaussianMixture ?? new GaussianMixturePolicy();
        double total = Logits.Partition(block.MixtureLogits, out float max);
        message.Weights.Clear();
        foreach (float logit in block.MixtureLogits)
        {
            message.Weights.Add((float)(Math.Exp(logit - max) / total));
        }
        message.Means.ReplaceWith(block.AllMeans);
        // Operators read σ, not log σ.
        message.Stds.Clear();
        foreach (float value in block.AllLogStds)
        {
            message.Stds.Add(MathF.Exp(value));
        }
        message.Mode = (uint)block.Mode;
        frame.GaussianMixture = message;
    }

    /// <summary>The output block of a mixture over <c>actions</c> action entries, read in place.</summary>
    private readonly ref struct Block(ReadOnlySpan<float> outputs, int actions)
    {
        private readonly ReadOnlySpan<float> _outputs = outputs;
        private readonly int _actions = actions;

        /// <summary>K, from the block's length K·(1 + 2·A).</summary>
        private int Components => _outputs.Length / (1 + 2 * _actions);

        public ReadOnlySpan<float> MixtureLogits => _outputs[..Components];

        public ReadOnlySpan<float> AllMeans => _outputs.Slice(Components, Components * _actions);

        public ReadOnlySpan<float> AllLogStds => _outputs.Slice(Components * (1 + _actions), Components * _actions);

        /// <summary>The most likely component: the largest logit.</summary>
        public int Mode => Logits.ArgMax(MixtureLogits);

        public ReadOnlySpan<float> Means(int component) => AllMeans.Slice(component * _actions, _actions);

        public ReadOnlySpan<float> LogStds(int component) => AllLogStds.Slice(component * _actions, _actions);
    }
}
