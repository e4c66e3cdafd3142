using Robotics.Controller.Policy.Heads;
using Robotics.Protos.Policy;
using Robotics.Trainer.Data;
using Robotics.Trainer.Onnx;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Policies.Heads;

/// <summary>
/// Continuous actions with more than one good answer (robomimic's BC-GMM): a mixture of K diagonal Gaussians. The
/// last layer's K + 2·K·A values are the K mixture logits, then each component's A means, then each component's A
/// raw log σ, component by component; log σ is clamped to the shape's range as the Gaussian head's is. One Gaussian
/// fitted to an expert who passes an obstacle on the left in some episodes and on the right in others puts its mean
/// between the two, into the obstacle; a mixture gives each way a component. Targets, normalization and the export
/// to raw units are the Gaussian head's, per component. Uncertainty: the Gaussian head's, of the most likely
/// component, the one the robot acts on: how far apart the components lie is the expert's choice, not doubt
/// (docs/bc-math.md#the-gaussian-mixture-head).
/// </summary>
public sealed class GaussianMixtureHead : PolicyHead
{
    public override string MetadataName => PolicyContract.GaussianMixtureKind;

    public override string Title => "Gaussian mixture";

    public override bool ActsDiscretely => false;

    public override string UncertaintyMeasure => PolicyContract.ModeMaxNormalizedSigma;

    public override (string Name, string Short, string Unit) SquaredError => ("MSE of the most likely component's mean", "MSE", "action units²");

    public override int MinimumActions => 1;

    public override int ActionSize(Demonstrations source) => source.ActionNames.Count;

    public override (float[] Mean, float[] Std) ActionStatistics(ReadOnlySpan<float> actions, int width, double stdFloor) =>
        Normalization.Statistics(actions, width, stdFloor);

    /// <summary>The smallest and largest expert action per dimension, raw units.</summary>
    public override (float[] Low, float[] High) ActionRange(Demonstrations source) => source.ActionExtremes();

    public override int Width(PolicyShape shape) => shape.MixtureComponents * (1 + 2 * shape.Actions);

    public override IReadOnlyList<HeadOutput> Outputs(PolicyShape shape)
    {
        int k = shape.MixtureComponents;
        return
        [
            new HeadOutput(PolicyContract.MixtureLogitsOutput, k),
            new HeadOutput(PolicyContract.ComponentMeansOutput, k * shape.Actions),
            new HeadOutput(PolicyContract.ComponentLogStdsOutput, k * shape.Actions),
        ];
    }

    public override IEnumerable<KeyValuePair<string, string>> Metadata(PolicyShape shape) =>
        [new(PolicyContract.Keys.MixtureComponents, shape.MixtureComponents.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>(logits, μ, clamp(log σ)), the last two [N, K·A].</summary>
    public override IReadOnlyList<string> Forward(GraphBuilder g, PolicyShape shape, string layerOutput)
    {
        var split = Split(g, shape, layerOutput);
        return [split.Logits, split.Means, split.LogStds];
    }

    /// <summary>Each component as the Gaussian head's: μ·std + mean, log σ + log std; the logits have no units.</summary>
    public override IReadOnlyList<string> ToRawUnits(GraphBuilder g, PolicyShape shape, Normalization normalization, IReadOnlyList<string> outputs)
    {
        int width = shape.MixtureComponents * shape.Actions;
        float[] PerComponent(IEnumerable<float> perAction) => [.. Enumerable.Repeat(perAction, shape.MixtureComponents).SelectMany(v => v)];
        string actionStd = g.Initializer("act_std", PerComponent(normalization.ActionStd), width);
        string actionMean = g.Initializer("act_mean", PerComponent(normalization.ActionMean), width);
        string logActionStd = g.Initializer("act_log_std", PerComponent(normalization.ActionStd.Select(s => MathF.Log(s))), width);
        return [outputs[0], g.Add(g.Mul(outputs[1], actionStd), actionMean), g.Add(outputs[2], logActionStd)];
    }

    /// <summary>The expert's standardized actions, [B, A] in the graph's element type.</summary>
    public override string TargetInput(GraphBuilder g, string name, PolicyShape shape, int batchSize) => g.Input(name, batchSize, shape.Actions);

    /// <summary>
    /// Per sample, with ℓ_k = Σ_d (s_kd + ½z_kd²), z_kd = (a*_d − μ_kd)·e^(−s_kd) (component k's Gaussian NLL) and
    /// j_k = log softmax(o)_k − ℓ_k: loss = −log Σ_k e^(j_k), the batch mean. With γ = softmax(j), each component's
    /// share of the sample (its posterior): ∂/∂o_k = (softmax(o)_k − γ_k)/B; ∂/∂μ_kd = −γ_k·z_kd·e^(−s_kd)/B;
    /// ∂/∂log σ_kd = γ_k·(1 − z_kd²)/B where the clamp is inactive, else 0.
    /// </summary>
    public override HeadLoss Loss(GraphBuilder g, PolicyShape shape, string layerOutput, string target, int batchSize)
    {
        int k = shape.MixtureComponents;
        int a = shape.Actions;
        var split = Split(g, shape, layerOutput);
        // [B, K, A]: a component per row of each sample, so the target broadcasts against every component.
        string means = g.Reshape(split.Means, -1, k, a);
        string rawLogStds = g.Reshape(split.RawLogStds, -1, k, a);
        string logStds = g.Reshape(split.LogStds, -1, k, a);

        string inverseStd = g.Exp(g.Neg(logStds));
        string z = g.Mul(g.Sub(g.Unsqueeze(target, 1), means), inverseStd);
        string zSquared = g.Mul(z, z);
        string componentNll = g.ReduceSum(g.Add(logStds, g.Mul(g.Scalar(0.5), zSquared)), axis: 2, keepDims: false);
        string logWeights = g.LogSoftmax(split.Logits, axis: 1);
        string joint = g.Sub(logWeights, componentNll);
        // log Σ_k e^(j_k) around the largest j, so no term overflows or all underflow.
        string largest = g.ReduceMax(joint, axis: 1, keepDims: true);
        string logLikelihood = g.Add(largest, g.Log(g.ReduceSum(g.Exp(g.Sub(joint, largest)), axis: 1, keepDims: true)));
        string perBatch = g.Scalar(1.0 / batchSize);
        string loss = g.Mul(g.Neg(g.SumAll(logLikelihood)), perBatch);

        string posterior = g.Exp(g.Sub(joint, logLikelihood));
        string logitGradient = g.Mul(g.Sub(g.Exp(logWeights), posterior), perBatch);
        string share = g.Unsqueeze(g.Mul(posterior, perBatch), 2);
        string meanGradient = g.Mul(g.Neg(g.Mul(z, inverseStd)), share);
        string unclamped = g.CastToElement(g.And(g.Greater(rawLogStds, split.Low), g.Greater(split.High, rawLogStds)));
        string logStdGradient = g.Mul(g.Mul(g.Sub(g.Scalar(1), zSquared), unclamped), share);
        return new HeadLoss(loss, g.Concat(1, logitGradient, g.Reshape(meanGradient, -1, k * a), g.Reshape(logStdGradient, -1, k * a)));
    }

    public override TargetBatch BatchTargets(SampleSet source, PolicyShape shape, int batchSize) =>
        TargetBatch.Of(source, s => s.Targets, batchSize, shape.Actions);

    /// <summary>
    /// NLL per sample −log Σ_k softmax(o)_k·e^(−ℓ_k) in normalized units (the Gaussian head's convention: no ½·log 2π);
    /// MSE in raw units of the most likely component's μ, the action the robot takes; uncertainty that component's
    /// max_dims σₙ.
    /// </summary>
    public override Training.Evaluation Score(PolicyShape shape, IReadOnlyList<float[]> outputs, SampleSet samples, Normalization normalization)
    {
        var (logits, means, logStds) = (outputs[0], outputs[1], outputs[2]);
        int n = samples.Count;
        int k = shape.MixtureComponents;
        int a = shape.Actions;
        double nll = 0;
        double squaredError = 0;
        var uncertainty = new float[n];
        var joint = new double[k];
        var weights = new double[k];
        for (int i = 0; i < n; i++)
        {
            var sampleLogits = logits.AsSpan(i * k, k);
            int mode = Logits.ArgMax(sampleLogits);
            for (int c = 0; c < k; c++)
            {
                weights[c] = sampleLogits[c];
            }
            double logPartition = LogSumExp(weights);
            for (int c = 0; c < k; c++)
            {
                double componentNll = 0;
                for (int d = 0; d < a; d++)
                {
                    int at = (i * k + c) * a + d;
                    double z = (samples.Targets[i * a + d] - means[at]) * Math.Exp(-logStds[at]);
                    componentNll += logStds[at] + 0.5 * z * z;
                }
                joint[c] = sampleLogits[c] - logPartition - componentNll;
            }
            nll -= LogSumExp(joint);
            float worst = 0;
            for (int d = 0; d < a; d++)
            {
                int at = (i * k + mode) * a + d;
                double error = (samples.Targets[i * a + d] - means[at]) * normalization.ActionStd[d];
                squaredError += error * error;
                worst = Math.Max(worst, MathF.Exp(logStds[at]));
            }
            uncertainty[i] = worst;
        }
        return new Training.Evaluation(nll / n, squaredError / ((double)n * a), double.NaN, uncertainty);
    }

    /// <summary>The last layer's output split into logits, μ and raw log σ ([B, K·A] each but the logits), and log σ clamped to [low, high].</summary>
    private static (string Logits, string Means, string RawLogStds, string Low, string High, string LogStds) Split(GraphBuilder g, PolicyShape shape, string layerOutput)
    {
        int k = shape.MixtureComponents;
        var parts = g.Split(layerOutput, 1, k, k * shape.Actions, k * shape.Actions);
        string low = g.Scalar(shape.LogStdMin);
        string high = g.Scalar(shape.LogStdMax);
        return (parts[0], parts[1], parts[2], low, high, g.Clip(parts[2], low, high));
    }

    private static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            max = Math.Max(max, v);
        }
        double sum = 0;
        foreach (double v in values)
        {
            sum += Math.Exp(v - max);
        }
        return max + Math.Log(sum);
    }
}
