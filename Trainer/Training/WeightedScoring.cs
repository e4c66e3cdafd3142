using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>
/// Validation figures of weighted samples: the weighted mean of each per-sample figure (NLL, squared error,
/// accuracy), as training's weighted draws make the loss. A head scores an unweighted set of samples; the samples are
/// grouped by weight once (a weight per outcome and operator, so a handful of groups), each group is scored by the
/// head, and the group means are combined by their weight times their count. The per-sample uncertainty is every
/// sample's, in the set's order. Used only when the samples' weights differ.
/// </summary>
internal sealed class WeightedScoring
{
    private readonly Group[] _groups;
    private readonly int _count;

    private WeightedScoring(Group[] groups, int count)
    {
        _groups = groups;
        _count = count;
    }

    /// <summary>The scoring of <paramref name="samples"/>; null when they are unweighted (the head scores them as they are).</summary>
    public static WeightedScoring? For(SampleSet samples, PolicyShape shape)
    {
        if (samples.Weights.Length == 0)
        {
            return null;
        }
        var widths = shape.Head.Outputs(shape).Select(o => o.Width).ToArray();
        int observations = samples.Observations.Length / Math.Max(1, samples.Count);
        int targets = samples.Targets.Length / Math.Max(1, samples.Count);
        var groups = Enumerable.Range(0, samples.Count)
            .GroupBy(i => samples.Weights[i])
            .Select(g =>
            {
                int[] rows = [.. g];
                var subset = new SampleSet(rows.Length, Gather(samples.Observations, observations, rows), Gather(samples.Targets, targets, rows),
                    samples.Labels.Length == 0 ? [] : [.. rows.Select(i => samples.Labels[i])], samples.EpisodeCount);
                return new Group(g.Key, rows, subset, [.. widths.Select(w => new float[rows.Length * w])], widths);
            })
            .ToArray();
        return new WeightedScoring(groups, samples.Count);
    }

    /// <param name="outputs">The policy's outputs on every sample, in the head's output order, row-major.</param>
    public Evaluation Score(PolicyShape shape, IReadOnlyList<float[]> outputs, Normalization normalization)
    {
        var uncertainty = new float[_count];
        double nll = 0, mse = 0, accuracy = 0, mass = 0;
        foreach (var group in _groups)
        {
            for (int o = 0; o < outputs.Count; o++)
            {
                Gather(outputs[o], group.Widths[o], group.Rows, group.Outputs[o]);
            }
            var scored = shape.Head.Score(shape, group.Outputs, group.Samples, normalization);
            double weight = (double)group.Weight * group.Rows.Length;
            (nll, mse, accuracy, mass) = (nll + weight * scored.Nll, mse + weight * scored.Mse, accuracy + weight * scored.Accuracy, mass + weight);
            for (int i = 0; i < group.Rows.Length; i++)
            {
                uncertainty[group.Rows[i]] = scored.Uncertainty[i];
            }
        }
        return new Evaluation(nll / mass, mse / mass, accuracy / mass, uncertainty);
    }

    private static float[] Gather(float[] values, int width, int[] rows) => Gather(values, width, rows, new float[rows.Length * width]);

    private static float[] Gather(float[] values, int width, int[] rows, float[] into)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(values, rows[i] * width, into, i * width, width);
        }
        return into;
    }

    /// <summary>The samples of one weight: where they are in the set, them alone, and room for the policy's outputs on them.</summary>
    private sealed record Group(float Weight, int[] Rows, SampleSet Samples, float[][] Outputs, int[] Widths);
}
