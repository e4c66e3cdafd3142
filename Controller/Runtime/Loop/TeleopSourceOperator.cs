namespace Robotics.Controller.Loop;

/// <summary>A teleoperator on the robot itself (a leader arm, a gamepad, a keyboard), read through its devices each tick.</summary>
public sealed class TeleopSourceOperator(Hardware.Robots.ITeleopSource source) : IOperator
{
    /// <summary>Recorded as each episode's driver: the config's teleop sources, whatever devices they are.</summary>
    public string Name => "on-robot teleoperator";

    public bool TryAct(ReadOnlySpan<float> observation, Span<float> action) => source.TryReadTeleop(action);
}
