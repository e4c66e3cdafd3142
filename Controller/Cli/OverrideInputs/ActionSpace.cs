namespace Robotics.Controller.Cli.OverrideInputs;

/// <summary>The robot's action space, as the override lease grant describes it.</summary>
internal sealed record ActionSpace(IReadOnlyList<string> Names, IReadOnlyList<float> Min, IReadOnlyList<float> Max)
{
    /// <summary>The middle of each range: where keyboard and gamepad commands start.</summary>
    public float Center(int i) => (Min[i] + Max[i]) / 2;
}
