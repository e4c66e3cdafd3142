namespace Robotics.Controller.Ticks;

/// <summary>
/// The shape of every record of one tick ring: the header, then the observation, the action sent and the policy
/// head's outputs, as floats, at these fixed counts. <see cref="Version"/> changes whenever <see cref="TickHeader"/>
/// or this order does, so a reader in another process can refuse a ring it would misread.
/// </summary>
public readonly record struct TickLayout(int Observations, int Actions, int HeadOutputs)
{
    public const int Version = 4;

    /// <summary>The layout of a loop driving <paramref name="robot"/>, with <paramref name="policy"/>'s head outputs when it has one.</summary>
    public static TickLayout For(Hardware.Robots.RobotDescription robot, Policy.PolicyRunner? policy) =>
        new(robot.Observations.Count, robot.Actions.Count, policy?.Head.OutputCount(policy.Metadata) ?? 0);

    /// <summary>Floats per record.</summary>
    public int Stride => Observations + Actions + HeadOutputs;
}
