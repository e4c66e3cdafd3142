namespace Robotics.Trainer.Studies;

/// <summary>
/// What every study shares. Seed s records its demonstrations with seed s (and s + <see cref="SecondRecordingSeed"/> for a
/// second set, <see cref="RoundSeed"/> for DAgger's rounds), and evaluates every policy on episodes of seed
/// <see cref="EvaluationSeedBase"/> + s, which no demonstration of any seed comes from.
/// </summary>
public static class Study
{
    public const int SecondRecordingSeed = 500;

    public const int EvaluationSeedBase = 1000;

    /// <summary>The episodes of DAgger round <paramref name="round"/> (from 1) of seed <paramref name="seed"/>: apart from every other set.</summary>
    public static int RoundSeed(int seed, int round) => 2000 + 100 * seed + round;

    /// <summary>Written last: the figures, and the mark of a finished study's folder, which a later run may replace.</summary>
    public const string SummaryFile = "study.json";
}
