namespace Robotics.Controller.Policy;

/// <summary>
/// Turns the policy's outputs into a command: a Gaussian policy's mean (deployment's deterministic choice) or a
/// reparameterized sample μ + σ·ε; a categorical policy's argmax or a sample from its softmax. Allocation-free.
/// </summary>
public sealed class ActionSelector(PolicyRunner policy, bool stochastic, ulong seed)
{
    private readonly LoopRandom _random = new(seed);

    public bool Stochastic => stochastic;

    public void Select(Span<float> action)
    {
        if (policy.Metadata.IsCategorical)
        {
            action[0] = stochastic ? Sample(policy.Logits) : ArgMax(policy.Logits);
            return;
        }
        var mean = policy.Mean;
        var logStd = policy.LogStd;
        for (int i = 0; i < mean.Length; i++)
        {
            action[i] = stochastic ? (float)(mean[i] + Math.Exp(logStd[i]) * _random.NextGaussian()) : mean[i];
        }
    }

    private static int ArgMax(float[] logits)
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

    /// <summary>Inverse-CDF draw from softmax(logits), computed stably around the largest logit.</summary>
    private int Sample(float[] logits)
    {
        float max = logits[ArgMax(logits)];
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            total += Math.Exp(logits[i] - max);
        }
        double u = _random.NextDouble() * total;
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
