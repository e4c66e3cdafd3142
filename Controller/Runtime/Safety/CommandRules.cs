using System.Globalization;
using Robotics.Hardware.Robots;

namespace Robotics.Controller.Safety;

/// <summary>What is wrong with an operator's command.</summary>
public enum CommandProblem
{
    None,
    WrongLength,
    NonFinite,
    /// <summary>A discrete robot's command that is not one of its action indices.</summary>
    NotAnIndex,
    /// <summary>Outside the limits, when the robot refuses such commands rather than clamping them.</summary>
    OutOfRange,
}

/// <summary>
/// The rules an override operator's command must pass before it may drive: its length, finite values, a discrete
/// robot's index, and (when so configured) the limits. Values outside the limits otherwise pass as they are: the loop's
/// limits clamp them like any command and flag the tick ACTION_CLAMPED, so the log shows the operator asked for more.
/// The gateway checks them to tell the operator why a command was refused; the loop checks them again on every command
/// it reads from the link, since what the gateway wrote is not to be trusted. Checking allocates nothing.
/// </summary>
public sealed class CommandRules(RobotDescription robot, bool rejectOutOfRange)
{
    public RobotDescription Robot => robot;

    /// <summary>The first problem and the entry it is at (−1 for the length), or None.</summary>
    public CommandProblem Check(ReadOnlySpan<float> command, out int index)
    {
        index = -1;
        if (command.Length != robot.Actions.Count)
        {
            return CommandProblem.WrongLength;
        }
        for (int i = 0; i < command.Length; i++)
        {
            index = i;
            var spec = robot.Actions[i];
            float value = command[i];
            if (!float.IsFinite(value))
            {
                return CommandProblem.NonFinite;
            }
            if (robot.IsDiscrete && (value != MathF.Floor(value) || value < spec.Min || value > spec.Max))
            {
                return CommandProblem.NotAnIndex;
            }
            if (rejectOutOfRange && (value < spec.Min || value > spec.Max))
            {
                return CommandProblem.OutOfRange;
            }
        }
        index = -1;
        return CommandProblem.None;
    }

    /// <summary>The problem as the operator reads it.</summary>
    public string Describe(CommandProblem problem, int index, ReadOnlySpan<float> command)
    {
        var c = CultureInfo.InvariantCulture;
        if (problem == CommandProblem.WrongLength)
        {
            return string.Create(c, $"the command has {command.Length} values; the robot takes {robot.Actions.Count} ({string.Join(", ", robot.Actions.Select(a => a.Name))})");
        }
        var spec = robot.Actions[index];
        float value = command[index];
        return problem switch
        {
            CommandProblem.NonFinite => string.Create(c, $"{spec.Name} is {value}: commands must be finite"),
            CommandProblem.NotAnIndex => string.Create(c, $"{spec.Name} is {value}: not one of the robot's action indices 0..{spec.Max}"),
            _ => string.Create(c, $"{spec.Name} is {value} {spec.Unit}, outside [{spec.Min}, {spec.Max}]"),
        };
    }
}
