using Robotics.Protos;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Policy.Heads;

/// <summary>
/// Continuous actions: per action dimension a mean μ and a log standard deviation, in raw action units; the
/// output block is μ then log σ. Deployment acts with μ, or draws μ + σ·ε with ε ~ N(0, 1) (the
/// reparameterization); uncertainty is the largest σ over dimensions divided by that dimension's training action
/// std (docs/bc-math.md).
/// </summary>
public sealed class GaussianHead : PolicyHead
{
    public override HeadKind Kind => HeadKind.Gaussian;

    public override string MetadataName => PolicyContract.GaussianKind;

    public override bool ActsDiscretely => false;

    public override IReadOnlyList<HeadTensor> Tensors(PolicyMetadata metadata)
    {
        int actions = metadata.ActionNames.Count;
        return [new HeadTensor(PolicyContract.MeanOutput, 0, actions), new HeadTensor(PolicyContract.LogStdOutput, actions, actions)];
    }

    public override void SelectAction(ReadOnlySpan<float> outputs, Span<float> action, bool stochastic, LoopRandom random)
    {
        var mean = Mean(outputs);
        var logStd = LogStd(outputs);
        for (int i = 0; i < mean.Length; i++)
        {
            action[i] = stochastic ? (float)(mean[i] + Math.Exp(logStd[i]) * random.NextGaussian()) : mean[i];
        }
    }

    public override double Uncertainty(ReadOnlySpan<float> outputs, PolicyMetadata metadata)
    {
        var logStd = LogStd(outputs);
        double worst = 0;
        for (int i = 0; i < logStd.Length; i++)
        {
            worst = Math.Max(worst, Math.Exp(logStd[i]) / metadata.ActionStd[i]);
        }
        return worst;
    }

    public override void WriteStep(ReadOnlySpan<float> outputs, int actions, Step step)
    {
        step.PolicyHead = HeadKind.Gaussian;
        step.PolicyMean.ReplaceWith(Mean(outputs));
        step.PolicyLogStd.ReplaceWith(LogStd(outputs));
        step.PolicyLogits.Clear();
        step.ComponentMeans.Clear();
        step.ComponentLogStds.Clear();
    }

    public override void WriteTelemetry(ReadOnlySpan<float> outputs, int actions, TelemetryFrame frame)
    {
        var message = frame.Gaussian ?? new GaussianPolicy();
        message.Mean.ReplaceWith(Mean(outputs));
        // Operators read σ, not log σ.
        message.Std.Clear();
        foreach (float value in LogStd(outputs))
        {
            message.Std.Add(MathF.Exp(value));
        }
        frame.Gaussian = message;
    }

    private static ReadOnlySpan<float> Mean(ReadOnlySpan<float> outputs) => outputs[..(outputs.Length / 2)];

    private static ReadOnlySpan<float> LogStd(ReadOnlySpan<float> outputs) => outputs[(outputs.Length / 2)..];
}
