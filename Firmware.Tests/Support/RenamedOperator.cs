using Robotics.Controller.Loop;

namespace Robotics.Tests.Support;

/// <summary>An operator that acts as <paramref name="inner"/> does under another name: two people driving as the same expert.</summary>
public sealed class RenamedOperator(IOperator inner, string name) : IOperator
{
    public string Name => name;

    public bool TryAct(ReadOnlySpan<float> observation, Span<float> action) => inner.TryAct(observation, action);
}
