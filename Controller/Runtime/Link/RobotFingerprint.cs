using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Robotics.Hardware.Robots;

namespace Robotics.Controller.Link;

/// <summary>
/// A robot's identity as the link checks it: its name, its observation names and its actions (names, units, limits)
/// hashed with XXH64. A gateway started for one robot refuses a segment made for another, before it serves anything.
/// </summary>
public static class RobotFingerprint
{
    public static ulong Of(RobotDescription robot)
    {
        var text = new StringBuilder(robot.Name).Append('\n');
        foreach (var observation in robot.Observations)
        {
            text.Append(observation.Name).Append(';');
        }
        text.Append('\n');
        foreach (var action in robot.Actions)
        {
            text.Append(CultureInfo.InvariantCulture, $"{action.Name}:{action.Unit}:{action.Min}:{action.Max};");
        }
        text.Append('\n').AppendJoin(';', robot.DiscreteActions);
        return XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
