namespace Robotics.Trainer.Datasets.Export;

/// <summary>Steps as a step table's columns hold them, vectors flat (<paramref name="ObservationWidth"/> per row).</summary>
internal sealed record StepTableRows(
    float[] Observations, float[] Actions, int ObservationWidth, int ActionWidth,
    long[] EpisodeIndex, string[] LogFile, long[] EpisodeId, long[] Tick, long[] TimestampNs, long[] UnixTimeNs,
    string[] Source, bool[] Expert, bool[] Intervention, bool[] HelpRequested, long[] Flags, string[] Operator, string[] Task, string[] Outcome,
    float[] Uncertainty, float[] Novelty, float[] ObservationZ, long[] HelpTriggers, long[] LatenessNs)
{
    public int Count => EpisodeIndex.Length;

    /// <summary>The blocks' rows, one after another, as one block.</summary>
    public static StepTableRows Concat(IReadOnlyList<StepTableRows> blocks)
    {
        var first = blocks[0];
        return new StepTableRows(
            [.. blocks.SelectMany(b => b.Observations)], [.. blocks.SelectMany(b => b.Actions)], first.ObservationWidth, first.ActionWidth,
            [.. blocks.SelectMany(b => b.EpisodeIndex)], [.. blocks.SelectMany(b => b.LogFile)], [.. blocks.SelectMany(b => b.EpisodeId)],
            [.. blocks.SelectMany(b => b.Tick)], [.. blocks.SelectMany(b => b.TimestampNs)], [.. blocks.SelectMany(b => b.UnixTimeNs)],
            [.. blocks.SelectMany(b => b.Source)], [.. blocks.SelectMany(b => b.Expert)], [.. blocks.SelectMany(b => b.Intervention)],
            [.. blocks.SelectMany(b => b.HelpRequested)], [.. blocks.SelectMany(b => b.Flags)], [.. blocks.SelectMany(b => b.Operator)],
            [.. blocks.SelectMany(b => b.Task)], [.. blocks.SelectMany(b => b.Outcome)],
            [.. blocks.SelectMany(b => b.Uncertainty)], [.. blocks.SelectMany(b => b.Novelty)], [.. blocks.SelectMany(b => b.ObservationZ)],
            [.. blocks.SelectMany(b => b.HelpTriggers)], [.. blocks.SelectMany(b => b.LatenessNs)]);
    }
}
