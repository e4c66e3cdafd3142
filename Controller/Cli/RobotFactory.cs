using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Hardware.Robots;
using Robotics.Hardware.Simulation;

namespace Robotics.Controller.Cli;

/// <summary>Opens the robot a command names: a simulator (sim:NAME) or a robot config file.</summary>
internal static class RobotFactory
{
    /// <param name="rateHz">A simulator's physics step follows the loop rate; a real robot's config names its own.</param>
    public static IRobotHardware Open(string robot, double? rateHz, int seed)
    {
        if (Simulators.IsSimulator(robot))
        {
            return Simulators.Create(robot, rateHz ?? Simulators.DefaultRate(robot), seed);
        }
        if (File.Exists(robot))
        {
            return new ConfiguredRobot(RobotConfigLoader.Load(robot), DeviceRegistry.Default);
        }
        throw new ArgumentException($"--robot: '{robot}' is neither a simulator ({string.Join(", ", Simulators.Names.Select(n => Simulators.Prefix + n))}) nor a robot config file");
    }
}
