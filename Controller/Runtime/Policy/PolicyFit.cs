using System.Globalization;
using Robotics.Hardware.Robots;

namespace Robotics.Controller.Policy;

/// <summary>
/// Checks, before the loop starts, that a policy fits the robot it is about to drive: its robot's name, its kind, its
/// observation and action names in order, the control rate it was trained at, and that the actions it was trained on
/// lie within the robot's limits. A mismatch is one error naming both sides; a policy for another robot names both robots.
/// </summary>
public static class PolicyFit
{
    public static void Check(PolicyMetadata policy, RobotDescription robot, double rateHz, string path)
    {
        string Fail(string what) => $"{path} does not fit {robot.Name}: {what}";
        string? misfit = ShapeMisfit(policy, robot);
        // The config's name is recorded in every log and so in the policy: the same channel names on another robot
        // (another arm's joints called the same) are no reason to drive it. A policy made for another robot is the
        // likely mistake, and its fix is to pick the right file, so the error says which robot each is.
        if (policy.Robot != robot.Name)
        {
            string trainedFor = Printable.Line(policy.Robot, 60);
            throw new InvalidDataException(Fail(misfit is null
                ? $"it was trained on robot '{trainedFor}' (the robot's \"name\" in its config)"
                : $"it was trained for {trainedFor} ({Shape(policy)}), and {robot.Name} has {Shape(robot)}"));
        }
        if (misfit is not null)
        {
            throw new InvalidDataException(Fail(misfit));
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
        for (int i = 0; i < robot.Actions.Count; i++)
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

    /// <summary>How the policy's inputs and outputs differ from the robot's, or null when they match.</summary>
    private static string? ShapeMisfit(PolicyMetadata policy, RobotDescription robot)
    {
        if (policy.Head.ActsDiscretely != robot.IsDiscrete)
        {
            return policy.Head.ActsDiscretely
                ? $"it is a {policy.Head.MetadataName} policy (discrete actions) but the robot takes continuous actions"
                : $"it is a {policy.Head.MetadataName} policy (continuous actions) but the robot takes discrete actions";
        }
        var observations = robot.Observations.Select(o => o.Name).ToList();
        if (!policy.ObservationNames.SequenceEqual(observations))
        {
            return $"it reads observations [{string.Join(", ", policy.ObservationNames)}], the robot provides [{string.Join(", ", observations)}]";
        }
        var actions = robot.Actions.Select(a => a.Name).ToList();
        if (!policy.ActionNames.SequenceEqual(actions))
        {
            return $"it commands actions [{string.Join(", ", policy.ActionNames)}], the robot takes [{string.Join(", ", actions)}]";
        }
        return policy.DiscreteActionNames.SequenceEqual(robot.DiscreteActions)
            ? null
            : $"it chooses among [{string.Join(", ", policy.DiscreteActionNames)}], the robot among [{string.Join(", ", robot.DiscreteActions)}]";
    }

    /// <summary>"4 observations, 2 discrete actions".</summary>
    private static string Shape(PolicyMetadata policy) => policy.Head.ActsDiscretely
        ? Shape(policy.ObservationNames.Count, policy.DiscreteActionNames.Count, "discrete")
        : Shape(policy.ObservationNames.Count, policy.ActionNames.Count, "continuous");

    private static string Shape(RobotDescription robot) => robot.IsDiscrete
        ? Shape(robot.Observations.Count, robot.DiscreteActions.Count, "discrete")
        : Shape(robot.Observations.Count, robot.Actions.Count, "continuous");

    private static string Shape(int observations, int actions, string kind) =>
        $"{observations} observation{(observations == 1 ? "" : "s")}, {actions} {kind} action{(actions == 1 ? "" : "s")}";
}
