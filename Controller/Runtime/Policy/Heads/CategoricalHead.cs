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
        action[0] = stochastic ? Logits.Sample(outputs, random) : Logits.ArgMax(outputs);

    public override double Uncertainty(ReadOnlySpan<float> outputs, PolicyMetadata metadata)
    {
        double total = Logits.Partition(outputs, out float max);
        double entropy = 0;
        foreach (float logit in outputs)
        {
            double p = Math.Exp(logit - max) / total;
            entropy -= p > 0 ? p * Math.Log(p) : 0;
        }
        return entropy / Math.Log(outputs.Length);
    }

    public override void WriteStep(ReadOnlySpan<float> outputs, int actions, Step step)
    {
        step.PolicyHead = HeadKind.Categorical;
        step.PolicyMean.Clear();
        step.PolicyLogStd.Clear();
        step.PolicyLogits.ReplaceWith(outputs);
        step.ComponentMeans.Clear();
        step.ComponentLogStds.Clear();
    }

    public override void WriteTelemetry(ReadOnlySpan<float> outputs, int actions, TelemetryFrame frame)
    {
        var message = frame.Categorical ?? new CategoricalPolicy();
        message.Logits.ReplaceWith(outputs);
        double total = Logits.Partition(outputs, out float max);
        message.Probabilities.Clear();
        foreach (float logit in outputs)
        {
            message.Probabilities.Add((float)(Math.Exp(logit - max) / total));
        }
        frame.Categorical = message;
    }
}
