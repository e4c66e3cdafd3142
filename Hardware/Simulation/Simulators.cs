namespace Robotics.Hardware.Simulation;

/// <summary>The simulated robots, addressed as <c>sim:NAME</c>.</summary>
public static class Simulators
{
    public const string Prefix = "sim:";

    public static IReadOnlyList<string> Names { get; } = ["reach", "cartpole", "detour", "lane"];

    /// <summary>Every simulator as --robot takes it, for help texts and errors: "sim:reach, sim:cartpole, …".</summary>
    public static string Listed => string.Join(", ", Names.Select(n => Prefix + n));

    public static bool IsSimulator(string robot) => robot.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The rate a simulator runs at unless told otherwise.</summary>
    public static double DefaultRate(string robot) => Name(robot) switch
    {
        "reach" => ReachSimulation.DefaultRateHz,
        "cartpole" => CartPoleSimulation.DefaultRateHz,
        "detour" => DetourSimulation.DefaultRateHz,
        "lane" => LaneSimulation.DefaultRateHz,
        _ => throw Unknown(robot),
    };

    /// <param name="rateHz">Control rate, which is also the physics step.</param>
    public static SimulatedRobot Create(string robot, double rateHz, int seed) => Name(robot) switch
    {
        "reach" => new ReachSimulation(rateHz, seed),
        "cartpole" => new CartPoleSimulation(rateHz, seed),
        "detour" => new DetourSimulation(rateHz, seed),
        "lane" => new LaneSimulation(rateHz, seed),
        _ => throw Unknown(robot),
    };

    private static string Name(string robot) => IsSimulator(robot) ? robot[Prefix.Length..] : robot;

    private static ArgumentException Unknown(string robot) =>
        new($"--robot: no simulator '{robot}'; there are {Listed}");
}
