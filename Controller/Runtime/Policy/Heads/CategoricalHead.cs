using Robotics.Protos;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Policy.Heads;

/// <summary>
/// Discrete actions: one logit per action, the robot's single action entry being the chosen index. Deployment
/// acts with the argmax, or draws from softmax(logits); uncertainty is the softmax's entropy over log K, 0 when
/// sure and 1 when all K actions are equally likely (docs/bc-math.md).
/// </summary>
public sealed class CategoricalHead : PolicyHead
{
    public override HeadKind Kind => HeadKind.Categorical;

    public override string MetadataName => PolicyContract.CategoricalKind;

    public override bool ActsDiscretely => true;

    public override IReadOnlyList<HeadTensor> Tensors(PolicyMetadata metadata) =>
        [new HeadTensor(PolicyContract.LogitsOutput, 0, metadata.DiscreteActionNames.Count)];

    public override void SelectAction(ReadOnlySpan<float> outputs, Span<float> action, bool stochastic, LoopRandom random) =>
        action[0] = stochastic ? Sample(outputs, random) : ArgMax(outputs);

    public override double Uncertainty(ReadOnlySpan<float> outputs, PolicyMetadata metadata)
    {
        double total = Partition(outputs, out float max);
        double entropy = 0;
        foreach (float logit in outputs)
        {
            double p = Math.Exp(logit - max) / total;
            entropy -= p > 0 ? p * Math.Log(p) : 0;
        }
        return entropy / Math.Log(outputs.Length);
    }

    public override void WriteStep(ReadOnlySpan<float> outputs, Step step)
    {
        step.PolicyHead = HeadKind.Categorical;
        step.PolicyMean.Clear();
        step.PolicyLogStd.Clear();
        step.PolicyLogits.ReplaceWith(outputs);
    }

    public override void WriteTelemetry(ReadOnlySpan<float> outputs, TelemetryFrame frame)
    {
        var message = frame.Categorical ?? new CategoricalPolicy();
        message.Logits.ReplaceWith(outputs);
        double total = Partition(outputs, out float max);
        message.Probabilities.Clear();
        foreach (float logit in outputs)
        {
            message.Probabilities.Add((float)(Math.Exp(logit - max) / total));
        }
        frame.Categorical = message;
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>Σ exp(logit − max): softmax's denominator, taken around the largest logit so no term overflows.</summary>
    private static double Partition(ReadOnlySpan<float> logits, out float max)
    {
        max = logits[ArgMax(logits)];
        double total = 0;
        foreach (float logit in logits)
        {
            total += Math.Exp(logit - max);
        }
        return total;
    }

    /// <summary>Inverse-CDF draw from softmax(logits), computed stably around the largest logit.</summary>
    private static int Sample(ReadOnlySpan<float> logits, LoopRandom random)
    {
        double u = random.NextDouble() * Partition(logits, out float max);
        for (int i = 0; i < logits.Length; i++)
        {
            u -= Math.Exp(logits[i] - max);
            if (u < 0)
            {
                return i;
            }
        }
        return logits.Length - 1;
    }
}
