using Robotics.Controller.Policy;
using Robotics.Hardware.Robots;

namespace Robotics.Controller.Benchmarks;

/// <summary>
/// A robot with no hardware behind it, shaped like the policy it will run (its name too, so the policy fits it):
/// reads return the policy's training mean (a typical observation), writes go nowhere. What is left to measure
/// is the loop itself.
/// </summary>
public sealed class NullRobot(PolicyMetadata policy, double rateHz) : IRobotHardware
{
    public RobotDescription Description { get; } = new(
        policy.Robot,
        rateHz,
        [.. policy.ObservationNames.Select(n => new ObservationSpec(n, "1", long.MaxValue))],
        [.. policy.ActionNames.Select((n, i) => new ActionSpec(n, "1", policy.ActionLow[i], policy.ActionHigh[i], float.PositiveInfinity, policy.Head.ActsDiscretely ? -1 : 0))],
        policy.DiscreteActionNames);

    public void Start()
    {
    }

    public ReadStatus Read(Span<float> observation, long nowNs, out int faultIndex)
    {
        faultIndex = -1;
        policy.ObservationMean.CopyTo(observation);
        return ReadStatus.Ok;
    }

    public void Write(ReadOnlySpan<float> action, long nowNs)
    {
    }

    public void Halt()
    {
    }

    public void Resume()
    {
    }

    public void Stop()
    {
    }

    public void Dispose()
    {
    }
}
