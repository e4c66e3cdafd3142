using System.Globalization;
using Robotics.Hardware.Robots;

namespace Robotics.Controller.Policy;

/// <summary>
/// Checks, before the loop starts, that a policy fits the robot it is about to drive: its kind, its
/// observation and action names in order, the control rate it was trained at, its robot's name, and that the actions it was
/// trained on lie within the robot's limits. A mismatch is one error naming both sides.
/// </summary>
public static class PolicyFit
{
    public static void Check(PolicyMetadata policy, RobotDescription robot, double rateHz, string path)
    {
        string Fail(string what) => $"{path} does not fit {robot.Name}: {what}";
        if (policy.Head.ActsDiscretely != robot.IsDiscrete)
        {
            throw new InvalidDataException(Fail(policy.Head.ActsDiscretely
                ? $"it is a {policy.Head.MetadataName} policy (discrete actions) but the robot takes continuous actions"
                : $"it is a {policy.Head.MetadataName} policy (continuous actions) but the robot takes discrete actions"));
        }
        var observations = robot.Observations.Select(o => o.Name).ToList();
        if (!policy.ObservationNames.SequenceEqual(observations))
        {
            throw new InvalidDataException(Fail($"it reads observations [{string.Join(", ", policy.ObservationNames)}], the robot provides [{string.Join(", ", observations)}]"));
        }
        var actions = robot.Actions.Select(a => a.Name).ToList();
        if (!policy.ActionNames.SequenceEqual(actions))
        {
            throw new InvalidDataException(Fail($"it commands actions [{string.Join(", ", policy.ActionNames)}], the robot takes [{string.Join(", ", actions)}]"));
        }
        if (!policy.DiscreteActionNames.SequenceEqual(robot.DiscreteActions))
        {
            throw new InvalidDataException(Fail($"it chooses among [{string.Join(", ", policy.DiscreteActionNames)}], the robot among [{string.Join(", ", robot.DiscreteActions)}]"));
        }
        // The config's name is recorded in every log and so in the policy: the same channel names on another robot
        // (another arm's joints called the same) are no reason to drive it.
        if (policy.Robot != robot.Name)
        {
            throw new InvalidDataException(Fail($"it was trained on robot '{Printable.Line(policy.Robot, 60)}' (the robot's \"name\" in its config)"));
        }
        // A policy acts per tick: at another rate the same outputs mean different motions.
        if (Math.Abs(policy.ControlRateHz - rateHz) > 1e-6 * rateHz)
        {
            throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture,
                $"it was trained at {policy.ControlRateHz} Hz and the loop would run at {rateHz} Hz (use --rate {policy.ControlRateHz})")));
        }
        if (robot.IsDiscrete)
        {
            return;
        }
        for (int i = 0; i < actions.Count; i++)
        {
            var spec = robot.Actions[i];
            // Slack of 1% of the range: recorded actions were clamped to the limits, and float rounding must not fail a fit.
            float slack = 0.01f * (spec.Max - spec.Min);
            if (policy.ActionLow[i] < spec.Min - slack || policy.ActionHigh[i] > spec.Max + slack)
            {
                throw new InvalidDataException(Fail(string.Create(CultureInfo.InvariantCulture,
                    $"it was trained on {spec.Name} from {policy.ActionLow[i]} to {policy.ActionHigh[i]} {spec.Unit}, outside the robot's limits [{spec.Min}, {spec.Max}]")));
            }
        }
    }
}
