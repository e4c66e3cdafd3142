using Robotics.Trainer.Onnx;

namespace Robotics.Trainer.Policies;

/// <summary>The loss and its gradient with respect to the head output, as graph values.</summary>
public sealed record HeadLoss(string Loss, string OutputGradient);

/// <summary>
/// The two heads of ../shared/bc-math.md as graph nodes: what the policy emits, the behavioral-cloning loss
/// (batch mean), and its hand-derived gradient with respect to the last layer's output.
/// </summary>
public static class PolicyHead
{
    /// <summary>Gaussian: (mean, log σ clamped to the shape's range); categorical: (logits).</summary>
    public static IReadOnlyList<string> Outputs(GraphBuilder g, PolicyShape shape, string headOutput)
    {
        if (shape.Kind == PolicyKind.Categorical)
        {
            return [headOutput];
        }
        var (mean, rawLogStd) = SplitGaussian(g, shape, headOutput);
        return [mean, g.Clip(rawLogStd, g.Scalar(shape.LogStdMin), g.Scalar(shape.LogStdMax))];
    }

    /// <param name="target">Gaussian: the expert's actions [B, A]; categorical: the expert's action indices, int64 [B].</param>
    public static HeadLoss Loss(GraphBuilder g, PolicyShape shape, string headOutput, string target, int batchSize) =>
        shape.Kind == PolicyKind.Gaussian
            ? GaussianLoss(g, shape, headOutput, target, batchSize)
            : CategoricalLoss(g, shape, headOutput, target, batchSize);

    /// <summary>
    /// loss = mean over the batch of Σ_dims (s + ½z²), s = clamp(log σ), z = (a* − μ)·e^(−s);
    /// ∂/∂μ = −z·e^(−s)/B; ∂/∂log σ = (1 − z²)/B where the clamp is inactive, else 0.
    /// </summary>
    private static HeadLoss GaussianLoss(GraphBuilder g, PolicyShape shape, string headOutput, string target, int batchSize)
    {
        var (mean, rawLogStd) = SplitGaussian(g, shape, headOutput);
        string low = g.Scalar(shape.LogStdMin);
        string high = g.Scalar(shape.LogStdMax);
        string logStd = g.Clip(rawLogStd, low, high);
        string inverseStd = g.Exp(g.Neg(logStd));
        string z = g.Mul(g.Sub(target, mean), inverseStd);
        string zSquared = g.Mul(z, z);
        string perBatch = g.Scalar(1.0 / batchSize);
        string loss = g.Mul(g.SumAll(g.Add(logStd, g.Mul(g.Scalar(0.5), zSquared))), perBatch);

        string meanGradient = g.Mul(g.Neg(g.Mul(z, inverseStd)), perBatch);
        string unclamped = g.CastToElement(g.And(g.Greater(rawLogStd, low), g.Greater(high, rawLogStd)));
        string logStdGradient = g.Mul(g.Mul(g.Sub(g.Scalar(1), zSquared), unclamped), perBatch);
        return new HeadLoss(loss, g.Concat(1, meanGradient, logStdGradient));
    }

    /// <summary>loss = mean over the batch of −log softmax(logits)[a*]; ∂/∂logits = (softmax − onehot)/B.</summary>
    private static HeadLoss CategoricalLoss(GraphBuilder g, PolicyShape shape, string logits, string labels, int batchSize)
    {
        string logProbabilities = g.LogSoftmax(logits, axis: 1);
        // One-hot rows as labels[:, None] == [0, 1, ..., K−1] (ONNX Runtime's OneHot kernel lacks double).
        string oneHot = g.CastToElement(g.Equal(g.Unsqueeze(labels, 1), g.Int64s([.. Enumerable.Range(0, shape.Actions).Select(i => (long)i)])));
        string perBatch = g.Scalar(1.0 / batchSize);
        string loss = g.Mul(g.Neg(g.SumAll(g.Mul(oneHot, logProbabilities))), perBatch);
        string gradient = g.Mul(g.Sub(g.Exp(logProbabilities), oneHot), perBatch);
        return new HeadLoss(loss, gradient);
    }

    private static (string Mean, string RawLogStd) SplitGaussian(GraphBuilder g, PolicyShape shape, string headOutput)
    {
        var parts = g.Split(headOutput, 1, shape.Actions, shape.Actions);
        return (parts[0], parts[1]);
    }
}
