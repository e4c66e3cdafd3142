using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Simulation;

/// <summary>
/// A careless teleoperator on <c>sim:reach</c>: it drives the arm as the computed-torque expert does, but misjudges
/// where the target is by a fixed angle in each joint (a misread marker, parallax), so the arm settles that far past
/// it. With the reach's 2 cm tolerance its episodes fail: the demonstrations an imperfect expert leaves in a dataset
/// (docs/learning.md#the-imperfect-expert).
/// </summary>
/// <param name="reach">The simulator whose expert it distorts (its <see cref="ReachSimulation.Act"/> reads only the observation).</param>
/// <param name="misjudgement">The angle it aims past the target in each joint, radians.</param>
public sealed class CarelessReachExpert(ReachSimulation reach, double misjudgement) : IScriptedExpert
{
    // ReachSimulation.Describe: entries 6 and 7 are each joint's angle to the target's inverse-kinematics solution.
    private const int FirstGoalAngle = 6;
    private const int Observations = 8;

    /// <summary>The operator's name in the logs it records (EpisodeStart.operator), which --weight-operator takes.</summary>
    public const string Name = "careless operator";

    public string ExpertName => Name;

    public void Act(ReadOnlySpan<float> observation, Span<float> action)
    {
        Span<float> seen = stackalloc float[Observations];
        observation.CopyTo(seen);
        seen[FirstGoalAngle] += (float)misjudgement;
        seen[FirstGoalAngle + 1] += (float)misjudgement;
        reach.Act(seen, action);
    }
}
