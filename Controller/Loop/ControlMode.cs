namespace Robotics.Controller.Loop;

/// <summary>Who drives the robot.</summary>
public enum ControlMode
{
    /// <summary>The policy acts.</summary>
    Autonomous,
    /// <summary>An operator acts (the scripted expert on a simulator; a remote operator over gRPC).</summary>
    Teleop,
    /// <summary>The operator acts while the policy runs beside it and is recorded: a dry run of the policy.</summary>
    Shadow,
}

/// <summary>A source of operator commands: the teleoperator, whoever it is.</summary>
public interface IOperator
{
    /// <summary>Its name for the log.</summary>
    string Name { get; }

    /// <summary>The operator's action for this tick; false when it has none (the robot then goes safe). Loop-safe.</summary>
    bool TryAct(ReadOnlySpan<float> observation, Span<float> action);
}

/// <summary>A teleoperator on the robot itself (a leader arm, a gamepad, a keyboard), read through its devices each tick.</summary>
public sealed class TeleopSourceOperator(Hardware.Robots.ITeleopSource source) : IOperator
{
    /// <summary>Recorded as each episode's driver: the config's teleop sources, whatever devices they are.</summary>
    public string Name => "on-robot teleoperator";

    public bool TryAct(ReadOnlySpan<float> observation, Span<float> action) => source.TryReadTeleop(action);
}

/// <summary>A simulator's scripted expert playing the operator.</summary>
public sealed class ScriptedOperator(Hardware.Robots.IScriptedExpert expert) : IOperator
{
    public string Name => expert.ExpertName;

    public bool TryAct(ReadOnlySpan<float> observation, Span<float> action)
    {
        expert.Act(observation, action);
        return true;
    }
}
