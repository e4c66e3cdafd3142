using Robotics.Protos.Policy;
using Robotics.Trainer.Data;
using Robotics.Trainer.Onnx;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Policies.Heads;

/// <summary>
/// Continuous actions: per action dimension a mean μ and a log standard deviation, the last layer's 2·A values
/// split as μ then log σ, log σ clamped to the shape's range so the NLL cannot run to −∞ on repeated actions.
/// Targets are the expert's actions standardized with the training episodes' statistics; the export maps μ and
/// log σ back to raw units. Uncertainty: the largest σ over dimensions in normalized units, which is σ over that
/// dimension's training std (docs/bc-math.md#the-gaussian-head).
/// </summary>
public sealed class GaussianHead : PolicyHead
{
    public override string MetadataName => PolicyContract.GaussianKind;

    public override string Title => "Gaussian";

    public override bool ActsDiscretely => false;

    public override string UncertaintyMeasure => PolicyContract.MaxNormalizedSigma;

    public override (string Name, string Short, string Unit) SquaredError => ("MSE of the mean action", "MSE", "action units²");

    public override int MinimumActions => 1;

    public override bool SupportsEnsembles => true;

    public override int ActionSize(Demonstrations source) => source.ActionNames.Count;

    public override (float[] Mean, float[] Std) ActionStatistics(ReadOnlySpan<float> actions, int width, double stdFloor) =>
        Normalization.Statistics(actions, width, stdFloor);

    /// <summary>The smallest and largest expert action per dimension, raw units.</summary>
    public override (float[] Low, float[] High) ActionRange(Demonstrations source) => source.ActionExtremes();

    public override int Width(PolicyShape shape) => 2 * shape.Actions;

    public override IReadOnlyList<HeadOutput> Outputs(PolicyShape shape) =>
        [new HeadOutput(PolicyContract.MeanOutput, shape.Actions), new HeadOutput(PolicyContract.LogStdOutput, shape.Actions)];

    /// <summary>(μ, clamp(log σ)).</summary>
    public override IReadOnlyList<string> Forward(GraphBuilder g, PolicyShape shape, string layerOutput)
    {
        var split = Split(g, shape, layerOutput);
        return [split.Mean, split.LogStd];
    }

    /// <summary>a = μₙ·std + mean, so σ = σₙ·std and log σ = log σₙ + log std (docs/bc-math.md#normalization).</summary>
    public override IReadOnlyList<string> ToRawUnits(GraphBuilder g, PolicyShape shape, Normalization normalization, IReadOnlyList<string> outputs)
    {
        string actionStd = g.Initializer("act_std", normalization.ActionStd, shape.Actions);
        string actionMean = g.Initializer("act_mean", normalization.ActionMean, shape.Actions);
        string logActionStd = g.Initializer("act_log_std", [.. normalization.ActionStd.Select(s => MathF.Log(s))], shape.Actions);
        return [g.Add(g.Mul(outputs[0], actionStd), actionMean), g.Add(outputs[1], logActionStd)];
    }

    /// <summary>The expert's standardized actions, [B, A] in the graph's element type.</summary>
    public override string TargetInput(GraphBuilder g, string name, PolicyShape shape, int batchSize) => g.Input(name, batchSize, shape.Actions);

    /// <summary>
    /// loss = mean over the batch of Σ_dims (s + ½z²) (an ensemble's: the sum of its members' losses, so each
    /// member's gradient is its own loss's), s = clamp(log σ), z = (a* − μ)·e^(−s);
    /// ∂/∂μ = −z·e^(−s)/B; ∂/∂log σ = (1 − z²)/B where the clamp is inactive, else 0.
    /// </summary>
    public override HeadLoss Loss(GraphBuilder g, PolicyShape shape, string layerOutput, string target, int batchSize)
    {
        var (mean, rawLogStd, low, high, logStd) = Split(g, shape, layerOutput);
        string inverseStd = g.Exp(g.Neg(logStd));
        string z = g.Mul(g.Sub(target, mean), inverseStd);
        string zSquared = g.Mul(z, z);
        string perBatch = g.Scalar(1.0 / batchSize);
        string loss = g.Mul(g.SumAll(g.Add(logStd, g.Mul(g.Scalar(0.5), zSquared))), perBatch);

        string meanGradient = g.Mul(g.Neg(g.Mul(z, inverseStd)), perBatch);
        string unclamped = g.CastToElement(g.And(g.Greater(rawLogStd, low), g.Greater(high, rawLogStd)));
        string logStdGradient = g.Mul(g.Mul(g.Sub(g.Scalar(1), zSquared), unclamped), perBatch);
        return new HeadLoss(loss, g.Concat(shape.UnitAxis, meanGradient, logStdGradient));
    }

    public override TargetBatch BatchTargets(SampleSet source, PolicyShape shape, int batchSize) =>
        TargetBatch.Of(source, s => s.Targets, batchSize, shape.Actions);

    /// <summary>
    /// NLL per sample Σ_dims (log σ + ½z²) in normalized units; MSE of μ in raw units; uncertainty
    /// max_dims σₙ = max_dims σ/std.
    /// </summary>
    public override Training.Evaluation Score(PolicyShape shape, IReadOnlyList<float[]> outputs, SampleSet samples, Normalization normalization)
    {
        var (means, logStds) = (outputs[0], outputs[1]);
        int n = samples.Count;
        int a = shape.Actions;
        double nll = 0;
        double squaredError = 0;
        var uncertainty = new float[n];
        for (int i = 0; i < n; i++)
        {
            float worst = 0;
            for (int d = 0; d < a; d++)
            {
                int k = i * a + d;
                double logStd = logStds[k];
                double z = (samples.Targets[k] - means[k]) * Math.Exp(-logStd);
                nll += logStd + 0.5 * z * z;
                double error = (samples.Targets[k] - means[k]) * normalization.ActionStd[d];
                squaredError += error * error;
                worst = Math.Max(worst, MathF.Exp((float)logStd));
            }
            uncertainty[i] = worst;
        }
        return new Training.Evaluation(nll / n, squaredError / ((double)n * a), double.NaN, uncertainty);
    }

    /// <summary>The last layer's output split into μ and raw log σ, and log σ clamped to [low, high].</summary>
    private static (string Mean, string RawLogStd, string Low, string High, string LogStd) Split(GraphBuilder g, PolicyShape shape, string layerOutput)
    {
        var parts = g.Split(layerOutput, shape.UnitAxis, shape.Actions, shape.Actions);
        string low = g.Scalar(shape.LogStdMin);
        string high = g.Scalar(shape.LogStdMax);
        return (parts[0], parts[1], low, high, g.Clip(parts[1], low, high));
    }
}
