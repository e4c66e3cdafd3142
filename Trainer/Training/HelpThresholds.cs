using Robotics.Trainer.Data;

namespace Robotics.Trainer.Training;

/// <summary>
/// A threshold for each of the deployed policy's help triggers, all set on the same held-out ticks at the same rate
/// (docs/bc-math.md#the-help-triggers): the policy's uncertainty in its head's measure, an ensemble's novelty (null for
/// a single network) and the observation's distance from the training data (its largest |z|). Each alone asks on
/// about the rate of ticks like the held-out ones; together on at most three times that, less as they agree.
/// </summary>
public sealed record HelpThresholds(HelpThreshold Uncertainty, HelpThreshold? Novelty, HelpThreshold ObservationZ)
{
    /// <param name="evaluation">The exported epoch's figures on <paramref name="validation"/>.</param>
    /// <param name="validation">The held-out samples, observations normalized (so a value is its z).</param>
    public static HelpThresholds From(Evaluation evaluation, SampleSet validation, int observations, double rate) => new(
        HelpThreshold.From(evaluation.Uncertainty, rate),
        evaluation.Novelty.Length == 0 ? null : HelpThreshold.From(evaluation.Novelty, rate),
        HelpThreshold.From(LargestZ(validation, observations), rate));

    /// <summary>Each sample's largest |z| over its observation entries, as the controller measures it.</summary>
    private static float[] LargestZ(SampleSet samples, int observations)
    {
        var largest = new float[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            foreach (float z in samples.Observations.AsSpan(i * observations, observations))
            {
                largest[i] = Math.Max(largest[i], Math.Abs(z));
            }
        }
        return largest;
    }
}
