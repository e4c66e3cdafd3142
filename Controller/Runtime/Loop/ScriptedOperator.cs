namespace Robotics.Controller.Loop;

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
