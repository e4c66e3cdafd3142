namespace Robotics.Trainer.Training;

/// <summary>
/// Each ensemble member's own seed for its initialization, its bootstrap and its epochs' orders, from the run's: member
/// 0's is the run's own, so a one-member run draws exactly what a run without ensembles draws.
/// </summary>
public static class MemberSeeds
{
    /// <summary>A large prime apart, so members of runs with neighbouring seeds do not share draws.</summary>
    public static int Of(int seed, int member) => unchecked(seed + 104_729 * member);
}
