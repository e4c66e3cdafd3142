using Robotics.Hardware.Robots;
using Robotics.Hardware.Simulation;
using Xunit.Abstractions;

namespace Robotics.Tests.Hardware;

public sealed class SimulatorTests(ITestOutputHelper output)
{
    private delegate void Policy(ReadOnlySpan<float> observation, Span<float> action);

    /// <summary>Runs episodes with a policy, as the loop would: read, act, write, evaluate.</summary>
    private static (int Successes, List<string> Reasons) Run(SimulatedRobot robot, int episodes, Policy policy)
    {
        var observation = new float[robot.Description.Observations.Count];
        var action = new float[robot.Description.Actions.Count];
        int successes = 0;
        var reasons = new List<string>();
        robot.Start();
        for (int episode = 0; episode < episodes; episode++)
        {
            robot.ResetEpisode();
            while (true)
            {
                robot.Read(observation, 0, out _);
                policy(observation, action);
                robot.Write(action, 0);
                var status = robot.Evaluate(out string reason);
                if (status != EpisodeStatus.Running)
                {
                    successes += status == EpisodeStatus.Success ? 1 : 0;
                    reasons.Add(reason);
                    break;
                }
            }
        }
        return (successes, reasons);
    }

    [Theory]
    [InlineData("sim:reach")]
    [InlineData("sim:cartpole")]
    [InlineData("sim:detour")]
    [InlineData("sim:lane")]
    public void The_scripted_expert_succeeds_where_doing_nothing_fails(string name)
    {
        var robot = Simulators.Create(name, Simulators.DefaultRate(name), seed: 1);
        var (expert, _) = Run(robot, 40, robot.Act);
        var idle = Simulators.Create(name, Simulators.DefaultRate(name), seed: 1);
        var (nothing, _) = Run(idle, 40, (_, action) => action.Fill(name == "sim:cartpole" ? 1 : 0));

        output.WriteLine($"{name}: expert {expert}/40, doing nothing {nothing}/40");
        Assert.True(expert >= 38, $"the expert succeeded in only {expert} of 40 episodes");
        Assert.True(nothing <= 4, $"doing nothing succeeded in {nothing} of 40 episodes: the task is too easy");
    }

    /// <summary>
    /// The DAgger expert plans on a model of the robot loaded from one observation (<see cref="SimulatedRobot.Plan"/>):
    /// the observation must hold the whole task, the road ahead or the obstacle and goal, or the plan is of another one.
    /// Planned from a tick well into an episode (sim:detour's robot is then off the centre line, where its expert's side
    /// is the one it is on), the plan is what the robot itself then does.
    /// </summary>
    [Theory]
    [InlineData("sim:reach")]
    [InlineData("sim:detour")]
    [InlineData("sim:lane")]
    public void A_plan_from_an_observation_is_what_the_robot_then_does(string name)
    {
        const int from = 25;
        const int ahead = 30;
        var robot = Simulators.Create(name, Simulators.DefaultRate(name), seed: 3);
        int size = robot.Description.Observations.Count;
        var observation = new float[size];
        var action = new float[robot.Description.Actions.Count];
        var actual = new float[ahead * size];
        var start = new float[size];
        robot.Start();
        for (int tick = 0; tick <= from + ahead; tick++)
        {
            robot.Read(observation, 0, out _);
            if (tick == from)
            {
                observation.CopyTo(start, 0);
            }
            else if (tick > from)
            {
                observation.CopyTo(actual, (tick - from - 1) * size);
            }
            robot.Act(observation, action);
            robot.Write(action, 0);
        }

        var planned = new float[ahead * size];
        Simulators.Create(name, Simulators.DefaultRate(name), seed: 99).Plan(start, planned);

        // Float observations in, float observations out: the plan drifts from the run by rounding only.
        double worst = planned.Zip(actual, (p, a) => Math.Abs(p - a)).Max();
        output.WriteLine($"{name}: largest difference over {ahead} planned ticks {worst:E2}");
        Assert.True(worst < 1e-3, $"{name}: the plan differs from what the robot did by {worst}");
    }

    [Fact]
    public void The_same_seed_replays_the_same_episodes()
    {
        static float[] Trace(int seed)
        {
            var robot = new ReachSimulation(seed: seed);
            var observation = new float[robot.Description.Observations.Count];
            var action = new float[2];
            var trace = new List<float>();
            robot.Start();
            for (int tick = 0; tick < 50; tick++)
            {
                robot.Read(observation, 0, out _);
                robot.Act(observation, action);
                robot.Write(action, 0);
                trace.AddRange(observation);
            }
            return [.. trace];
        }

        Assert.Equal(Trace(5), Trace(5));
        Assert.NotEqual(Trace(5), Trace(6));
    }

    [Fact]
    public void The_arm_loses_energy_with_no_torque_as_damping_requires()
    {
        var state = new double[] { 0.3, 1.1, 2.0, -3.0 };
        double previous = EnergyProbe.KineticEnergy(state);
        for (int step = 0; step < 500; step++)
        {
            EnergyProbe.Step(state, 0.01);
            double energy = EnergyProbe.KineticEnergy(state);
            Assert.True(energy <= previous + 1e-9, $"energy rose at step {step}: {previous} → {energy}");
            previous = energy;
        }
        Assert.True(previous < 0.5 * EnergyProbe.KineticEnergy([0.3, 1.1, 2.0, -3.0]));
    }

    [Fact]
    public void A_halted_simulator_applies_its_safe_action()
    {
        var robot = new ReachSimulation(seed: 2);
        robot.Start();
        var observation = new float[robot.Description.Observations.Count];
        robot.Read(observation, 0, out _);
        robot.Halt();
        robot.Write([3f, 3f], 0);
        robot.Read(observation, 0, out _);

        Assert.Equal(0, observation[2], 6);
        Assert.Equal(0, observation[3], 6);
    }
}

/// <summary>Integrates the arm with zero torque (midpoint, independently of the simulator's RK4) and measures ½·q̇ᵀM(q)q̇.</summary>
internal static class EnergyProbe
{
    public static void Step(double[] state, double dt)
    {
        // Midpoint steps small enough that integration error stays far below the damping loss.
        var derivative = new double[4];
        var mid = new double[4];
        for (int i = 0; i < 10; i++)
        {
            double h = dt / 10;
            TwoLinkArm.Derivative(state, derivative, 0, 0);
            for (int j = 0; j < 4; j++)
            {
                mid[j] = state[j] + h / 2 * derivative[j];
            }
            TwoLinkArm.Derivative(mid, derivative, 0, 0);
            for (int j = 0; j < 4; j++)
            {
                state[j] += h * derivative[j];
            }
        }
    }

    public static double KineticEnergy(double[] s)
    {
        var (m11, m12, m22) = TwoLinkArm.Inertia(s[1]);
        return 0.5 * (m11 * s[2] * s[2] + 2 * m12 * s[2] * s[3] + m22 * s[3] * s[3]);
    }
}
