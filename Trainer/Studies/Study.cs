namespace Robotics.Trainer.Studies;

/// <summary>
/// What every study shares. Seed s records its demonstrations with seed s (and s + <see cref="SecondRecordingSeed"/> for a
/// second set), and evaluates every policy on episodes of seed <see cref="EvaluationSeedBase"/> + s, which no
/// demonstration of any seed comes from.
/// </summary>
public static class Study
{
    public const int SecondRecordingSeed = 500;

    public const int EvaluationSeedBase = 1000;

    /// <summary>Written last: the figures, and the mark of a finished study's folder, which a later run may replace.</summary>
    public const string SummaryFile = "study.json";
}
