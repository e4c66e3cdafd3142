using Robotics.Hardware.Robots;
using Robotics.Hardware.Simulation;

namespace Robotics.Controller.Cli;

/// <summary>Opens the robot a command names: a simulator (sim:NAME) or a robot config file.</summary>
internal static class RobotFactory
{
    public static IRobotHardware Open(string robot, double? rateHz, int seed)
    {
        if (Simulators.IsSimulator(robot))
        {
            return Simulators.Create(robot, rateHz ?? Simulators.DefaultRate(robot), seed);
        }
        throw new ArgumentException($"--robot: '{robot}' is neither a simulator ({string.Join(", ", Simulators.Names.Select(n => Simulators.Prefix + n))}) nor a robot config file");
    }
}
