using Robotics.Trainer.Onnx;

namespace Robotics.Trainer.Policies;

/// <summary>
/// An ensemble's K Gaussians as the one Gaussian the policy contract has, plus how much the members disagree
/// (docs/bc-math.md#the-ensemble). All in normalized action units, where a member mean's variance is already its
/// raw variance over the training action variance.
/// </summary>
public static class EnsembleGraph
{
    /// <summary>
    /// From the members' μ and log σ ([K, N, A] each): the equal-weight mixture's moments, μ̄ = mean_k μ_k and
    /// log σ = ½·log(mean_k σ_k² + D) with D = mean_k (μ_k − μ̄)² ([N, A] each), and the novelty, D's mean over action
    /// dimensions ([N, 1]). D is ThriftyDAgger's disagreement; writing the variance as mean σ² + D rather than
    /// mean (σ² + μ²) − μ̄² (the same number) subtracts nothing, so it cannot cancel below zero.
    /// </summary>
    public static (string Mean, string LogStd, string Novelty) Combine(GraphBuilder g, string means, string logStds)
    {
        string mean = g.ReduceMean(means, axis: 0, keepDims: false);
        string spread = g.Sub(means, mean);
        string disagreement = g.ReduceMean(g.Mul(spread, spread), axis: 0, keepDims: false);
        string memberVariance = g.ReduceMean(g.Exp(g.Mul(g.Scalar(2), logStds)), axis: 0, keepDims: false);
        string logStd = g.Mul(g.Scalar(0.5), g.Log(g.Add(memberVariance, disagreement)));
        return (mean, logStd, g.ReduceMean(disagreement, axis: 1, keepDims: true));
    }
}
