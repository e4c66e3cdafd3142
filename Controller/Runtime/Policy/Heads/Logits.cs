namespace Robotics.Controller.Policy.Heads;

/// <summary>
/// A categorical distribution given by unnormalized log-probabilities: the categorical head's actions and the mixture
/// head's components. Computed around the largest logit, so no exponential overflows. Allocation-free.
/// </summary>
public static class Logits
{
    /// <summary>The index of the largest logit (the first, on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
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
    public static double Partition(ReadOnlySpan<float> logits, out float max)
    {
        max = logits[ArgMax(logits)];
        double total = 0;
        foreach (float logit in logits)
        {
            total += Math.Exp(logit - max);
        }
        return total;
    }

    /// <summary>Inverse-CDF draw from softmax(logits).</summary>
    public static int Sample(ReadOnlySpan<float> logits, LoopRandom random)
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
