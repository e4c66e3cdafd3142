using Robotics.Hardware.Simulation;
using Robotics.Trainer.Dagger;

namespace Robotics.Tests.Demo;

/// <summary>The scripted expert's judgement on sim:reach, fed the ticks a telemetry stream would carry.</summary>
public sealed class InterventionGateTests : IDisposable
{
    private const int Seed = 3;
    private static readonly float[] ActionStd = [1, 1];

    private readonly ReachSimulation _robot = new(seed: Seed);
    private readonly InterventionGate _gate = new(new ReachSimulation(seed: Seed), new GateOptions(), ActionStd, categorical: false);
    private readonly float[] _observation;
    private readonly float[] _action = new float[2];
    private ulong _tick;

    public InterventionGateTests()
    {
        _robot.Start();
        _observation = new float[_robot.Description.Observations.Count];
    }

    public void Dispose() => _robot.Dispose();

    [Fact]
    public void The_expert_watches_a_robot_that_follows_its_plan()
    {
        for (int i = 0; i < 150; i++)
        {
            Read();
            _robot.Act(_observation, _action);
            Assert.Equal(GateDecision.Watch, Observe(policy: _action));
            _robot.Write(_action, 0);
        }
    }

    [Fact]
    public void It_takes_over_when_the_robot_falls_behind_its_plan_and_answers_the_state_its_command_will_meet()
    {
        // A policy that does nothing: the arm stays put while the plan moves to the target.
        var decisions = new List<GateDecision>();
        while (decisions.Count < 100 && !_gate.Driving)
        {
            Read();
            decisions.Add(Observe(policy: [0, 0]));
            _robot.Write([0, 0], 0);
        }

        Assert.Equal(GateDecision.TakeOver, decisions[^1]);
        Assert.All(decisions.SkipLast(1), d => Assert.Equal(GateDecision.Watch, d));
        Assert.True(_gate.LastDrift > 1, $"drift {_gate.LastDrift}");
        // The observation the command meets: this one advanced a tick under the expert's own action.
        using var reference = new ReachSimulation(seed: Seed);
        var next = new float[_observation.Length];
        var expected = new float[2];
        reference.Plan(_observation, next);
        reference.Act(next, expected);
        Assert.Equal(expected, _gate.Command);
    }

    [Fact]
    public void A_help_request_makes_it_take_over_even_on_plan()
    {
        Read();
        Assert.Equal(GateDecision.Watch, Observe(policy: [0, 0]));

        Assert.Equal(GateDecision.TakeOver, Observe(policy: [0, 0], help: true));
        Assert.True(_gate.Driving);
        Assert.True(_gate.LastDrift <= 1);
    }

    [Fact]
    public void It_hands_back_once_the_policy_agrees_and_not_before()
    {
        Read();
        Observe(policy: [0, 0]);
        Assert.Equal(GateDecision.TakeOver, Observe(policy: [0, 0], help: true));

        // A policy far from the expert: the expert keeps driving.
        for (int i = 0; i < 40; i++)
        {
            DriveOneTick();
            Assert.Equal(GateDecision.Drive, Observe(policy: [3, -3]));
        }
        // A policy that agrees: handed back once 80 % of the last 10 ticks agree.
        int ticks = 0;
        GateDecision decision;
        do
        {
            DriveOneTick();
            _robot.Act(_observation, _action);
            decision = Observe(policy: _action);
            ticks++;
        }
        while (decision == GateDecision.Drive && ticks < 50);
        Assert.Equal(GateDecision.HandBack, decision);
        Assert.Equal(8, ticks);
        Assert.False(_gate.Driving);
    }

    [Fact]
    public void A_new_episode_hands_the_robot_back()
    {
        Read();
        Observe(policy: [0, 0]);
        Observe(policy: [0, 0], help: true);

        _robot.ResetEpisode();
        Read();

        Assert.Equal(GateDecision.HandBack, _gate.Observe(2, 0, _observation, [0, 0], helpRequested: false));
        Assert.False(_gate.Driving);
    }

    private void DriveOneTick()
    {
        _robot.Write(_gate.Command, 0);
        Read();
    }

    private void Read() => _robot.Read(_observation, 0, out _);

    private GateDecision Observe(float[] policy, bool help = false) => _gate.Observe(1, _tick++, _observation, policy, help);
}
