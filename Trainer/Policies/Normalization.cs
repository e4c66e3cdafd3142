namespace Robotics.Trainer.Policies;

/// <summary>
/// Training-set statistics baked into the exported policy: observations are standardized on the way in,
/// Gaussian actions de-standardized on the way out (docs/bc-math.md#normalization). Action statistics are empty
/// for categorical policies.
/// </summary>
public sealed record Normalization(float[] ObservationMean, float[] ObservationStd, float[] ActionMean, float[] ActionStd)
{
    /// <summary>
    /// Means and standard deviations of the rows of <paramref name="values"/> ([rows, width], row-major),
    /// each std raised to at least <paramref name="stdFloor"/> so a constant entry does not divide by zero.
    /// </summary>
    public static (float[] Mean, float[] Std) Statistics(ReadOnlySpan<float> values, int width, double stdFloor)
    {
        var moments = new RunningMoments(width);
        moments.Add(values);
        return moments.Statistics(stdFloor);
    }

    /// <summary>
    /// Standardizes rows in place: (x − mean)/std. Empty statistics (targets a head does not standardize, such as
    /// action indices) leave the values as they are.
    /// </summary>
    public static void Apply(Span<float> values, float[] mean, float[] std)
    {
        int width = mean.Length;
        if (width == 0)
        {
            return;
        }
        for (int i = 0; i < values.Length; i++)
        {
            int j = i % width;
            values[i] = (values[i] - mean[j]) / std[j];
        }
    }
}
