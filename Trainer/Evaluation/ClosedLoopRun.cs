using Robotics.Controller.Loop;
using Robotics.Controller.Recording;
using Robotics.Controller.Policy;
using Robotics.Hardware.Robots;
using Robotics.Hardware.Simulation;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Evaluation;

/// <summary>
/// Runs episodes of a simulated robot through the controller runtime (the loop that runs on a robot: policy
/// runner, arbitration, safety, recorder), as fast as the ticks go, and sums them up from the recording.
/// With a policy the robot is autonomous; without one the simulator's scripted expert teleoperates it.
/// </summary>
public static class ClosedLoopRun
{
    /// <summary>Episodes one evaluation runs: each takes up to a few seconds of simulation, so 10,000 is hours.</summary>
    public static WholeRange Episodes { get; } = new("--episodes", 1, 10_000);

    /// <param name="robot">A simulator, <c>sim:NAME</c>; null for the one the policy was trained on.</param>
    /// <param name="policyPath">The policy to deploy; null for the expert (then <paramref name="robot"/> is needed).</param>
    /// <param name="seed">Draws the episodes' start states and goals: the same seed gives the same episodes to any driver.</param>
    /// <param name="logPath">Where the recording goes (a new file).</param>
    /// <param name="expert">Without a policy: who teleoperates instead of the simulator's own scripted expert (a careless one, say).</param>
    public static EvaluationResult Run(string? robot, string? policyPath, int episodes, int seed, string logPath,
        Func<SimulatedRobot, IScriptedExpert>? expert = null)
    {
        if (robot is not null && !Simulators.IsSimulator(robot))
        {
            throw new ArgumentException($"--robot: closed-loop evaluation needs a simulator ({Simulators.Listed}), not '{robot}'");
        }
        Episodes.Require(episodes);
        using var policy = policyPath is null ? null : new PolicyRunner(policyPath);
        if (robot is null)
        {
            robot = policy?.Metadata.Robot ?? throw new ArgumentException($"--robot: say which simulator the expert drives ({Simulators.Listed})");
            if (!Simulators.IsSimulator(robot))
            {
                throw new ArgumentException($"--robot: closed-loop evaluation needs a simulator ({Simulators.Listed}); {policyPath} was trained on '{robot}'");
            }
        }
        double rate = policy?.Metadata.ControlRateHz ?? Simulators.DefaultRate(robot);
        using var simulation = Simulators.Create(robot, rate, seed);
        var options = new LoopOptions
        {
            RateHz = rate,
            Mode = policy is null ? ControlMode.Teleop : ControlMode.Autonomous,
            MaxEpisodes = episodes,
            Paced = false,
            Realtime = false,
            Seed = seed,
        };
        var teleoperator = policy is null ? expert?.Invoke(simulation) ?? simulation : null;
        using (var recorder = TickRecorder.Create(logPath, simulation.Description.ToEpisodeInfo(rate, simulation.TaskDescription, "")))
        using (var loop = new ControlLoop(simulation, options, policy, teleoperator is null ? null : new ScriptedOperator(teleoperator), recorder))
        {
            loop.Start();
            loop.WaitForExit();
        }
        string driver = teleoperator?.ExpertName ?? Path.GetFileName(policyPath!);
        return new EvaluationResult(driver, robot, seed, simulation.GoalErrorName, EpisodeFigures.FromLog(logPath, simulation), logPath);
    }
}
