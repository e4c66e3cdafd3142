namespace Robotics.Trainer.Policies;

/// <summary>Adam's constants, fixed when the training graph is built (PyTorch's defaults).</summary>
public sealed record AdamConstants(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);

/// <summary>
/// The per-step scalars the training graph takes as inputs, computed on the host each step so the graph
/// needs no step counter: PyTorch's Adam/AdamW arithmetic, p ← p·weight_scale − step_size·m̂/(√v̂ + ε).
/// </summary>
public static class AdamStep
{
    /// <summary>Fills the five scalar inputs for step <paramref name="step"/> (1-based).</summary>
    /// <param name="decoupled">AdamW (decay multiplies the weights) rather than Adam (decay adds to the gradient).</param>
    public static void Scalars(AdamConstants adam, double learningRate, double weightDecay, bool decoupled, double maxGradNorm, long step,
        out float stepSize, out float inverseSqrtBias2, out float weightScale, out float l2, out float maxNorm)
    {
        double bias1 = 1 - Math.Pow(adam.Beta1, step);
        double bias2 = 1 - Math.Pow(adam.Beta2, step);
        stepSize = (float)(learningRate / bias1);
        inverseSqrtBias2 = (float)(1 / Math.Sqrt(bias2));
        weightScale = decoupled ? (float)(1 - learningRate * weightDecay) : 1f;
        l2 = decoupled ? 0f : (float)weightDecay;
        maxNorm = maxGradNorm > 0 ? (float)maxGradNorm : float.PositiveInfinity;
    }
}
