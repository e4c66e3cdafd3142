namespace Robotics.Trainer.Policies;

/// <summary>Adam's constants, fixed when the training graph is built (PyTorch's defaults).</summary>
public sealed record AdamConstants(double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);

/// <summary>
/// The per-step scalars the training graph takes as inputs, computed on the host each step so the graph
/// needs no step counter. PyTorch's Adam arithmetic, p ← p − (lr/b₁)·m/(√v/√b₂ + ε) with bᵢ = 1 − βᵢᵗ, is
/// rewritten as p ← p − step_size·m/(√v + epsilon) with step_size = lr·√b₂/b₁ and epsilon = ε·√b₂: the same
/// numbers with two fewer passes over the parameters.
/// </summary>
public static class AdamStep
{
    /// <summary>Fills the scalar inputs for step <paramref name="step"/> (1-based).</summary>
    /// <param name="decoupled">AdamW: <paramref name="decay"/> is the weight scale 1 − lr·weight_decay. Adam: it is weight_decay, the L2 factor.</param>
    public static void Scalars(AdamConstants adam, double learningRate, double weightDecay, bool decoupled, double maxGradNorm, long step,
        out float stepSize, out float epsilon, out float decay, out float maxNorm)
    {
        double bias1 = 1 - Math.Pow(adam.Beta1, step);
        double sqrtBias2 = Math.Sqrt(1 - Math.Pow(adam.Beta2, step));
        stepSize = (float)(learningRate * sqrtBias2 / bias1);
        epsilon = (float)(adam.Epsilon * sqrtBias2);
        decay = decoupled ? (float)(1 - learningRate * weightDecay) : (float)weightDecay;
        maxNorm = maxGradNorm > 0 ? (float)maxGradNorm : float.PositiveInfinity;
    }
}
