namespace Robotics.Controller.Operators;

/// <summary>Where a remote operator's commands come from: a script, a keyboard, a gamepad.</summary>
internal interface ICommandSource : IDisposable
{
    /// <summary>
    /// The command for now into <paramref name="action"/>; false when the source has finished (the script ran
    /// out, the operator pressed Esc) and the operator releases the robot.
    /// </summary>
    bool TryNext(TimeSpan elapsed, Span<float> action);
}

/// <summary>The robot's action space, as the override lease grant describes it.</summary>
internal sealed record ActionSpace(IReadOnlyList<string> Names, IReadOnlyList<float> Min, IReadOnlyList<float> Max)
{
    /// <summary>The middle of each range: where keyboard and gamepad commands start.</summary>
    public float Center(int i) => (Min[i] + Max[i]) / 2;
}
