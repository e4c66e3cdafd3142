namespace Robotics.Controller.Loop;

/// <summary>A source of operator commands: the teleoperator, whoever it is.</summary>
public interface IOperator
{
    /// <summary>Its name for the log.</summary>
    string Name { get; }

    /// <summary>The operator's action for this tick; false when it has none (the robot then goes safe). Loop-safe.</summary>
    bool TryAct(ReadOnlySpan<float> observation, Span<float> action);
}
