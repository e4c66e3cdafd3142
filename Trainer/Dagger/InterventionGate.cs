using Robotics.Hardware.Simulation;

namespace Robotics.Trainer.Dagger;

/// <summary>When the scripted expert steps in and when it lets go (HG-DAgger's gate, played by a program).</summary>
public sealed record GateOptions
{
    /// <summary>
    /// Take over when the robot is further from the goal than the expert's own plan said it would be by now,
    /// by more than this many times the task's tolerance (<see cref="SimulatedRobot.GoalTolerance"/>: the
    /// reach's 2 cm, a quarter of the cart-pole's failure angle). Measured in the task's terms rather than
    /// in raw observations, it lets a policy take its own path and catches one that hovers short of the goal.
    /// </summary>
    public double DriftThreshold { get; init; } = 1;

    /// <summary>Ticks the expert plans ahead; past them it plans afresh from where the robot is.</summary>
    public int PlanHorizon { get; init; } = 50;

    /// <summary>
    /// Hand back once the policy has agreed with the expert on <see cref="AgreementShare"/> of the last this
    /// many ticks: its mean within <see cref="AgreementTolerance"/> training standard deviations of the
    /// expert's action (Gaussian), or its most likely action the expert's (categorical; near balance a
    /// bang-bang expert flips every tick, so a share rather than an unbroken run).
    /// </summary>
    public int AgreementTicks { get; init; } = 10;

    /// <inheritdoc cref="AgreementTicks"/>
    public double AgreementShare { get; init; } = 0.8;

    /// <inheritdoc cref="AgreementTicks"/>
    public double AgreementTolerance { get; init; } = 0.25;

    /// <summary>Drive at least this long once taken over: an operator does not grab the sticks for one tick.</summary>
    public int MinimumDriveTicks { get; init; } = 20;
}

/// <summary>What the expert does after seeing a tick.</summary>
public enum GateDecision
{
    /// <summary>Let the policy drive.</summary>
    Watch,
    /// <summary>Take the robot over and send <see cref="InterventionGate.Command"/>.</summary>
    TakeOver,
    /// <summary>Keep driving: send <see cref="InterventionGate.Command"/>.</summary>
    Drive,
    /// <summary>Give the robot back to the policy.</summary>
    HandBack,
}

/// <summary>
/// The expert's judgement, tick by tick, from what telemetry shows: the observation, the policy's output and
/// whether the robot asked for help. It keeps a plan (its own closed loop rolled out on a model of the robot)
/// and takes over when the robot falls behind it or asks for help; while driving it commands its action for
/// the state it predicts the command will meet (the observation advanced one tick on the model, since a
/// command reaches the loop a tick after the observation it answers); it hands back when the policy agrees
/// with it. No I/O: <see cref="RemoteExpert"/> carries the decisions over gRPC.
/// </summary>
public sealed class InterventionGate
{
    private readonly SimulatedRobot _model;
    private readonly GateOptions _options;
    private readonly float[] _actionStd;
    private readonly bool _categorical;
    private readonly float[] _plan;
    private readonly float[] _predicted;
    private readonly float[] _expertHere;
    private readonly bool[] _agreement;
    private ulong _episode = ulong.MaxValue;
    private ulong _planStart;
    private int _driven;

    /// <param name="model">A simulator of the same robot, never the one the loop drives: planning overwrites its state.</param>
    /// <param name="actionStd">The training data's action standard deviations (the policy's metadata); ignored for categorical.</param>
    public InterventionGate(SimulatedRobot model, GateOptions options, float[] actionStd, bool categorical)
    {
        _model = model;
        _options = options;
        _actionStd = actionStd;
        _categorical = categorical;
        int observations = model.Description.Observations.Count;
        _plan = new float[options.PlanHorizon * observations];
        _predicted = new float[observations];
        _expertHere = new float[model.Description.Actions.Count];
        _agreement = new bool[options.AgreementTicks];
        Command = new float[model.Description.Actions.Count];
    }

    /// <summary>The action to send after <see cref="GateDecision.TakeOver"/> or <see cref="GateDecision.Drive"/>.</summary>
    public float[] Command { get; }

    public bool Driving { get; private set; }

    /// <summary>How far behind its plan the robot was on the latest tick, in multiples of the task's tolerance.</summary>
    public double LastDrift { get; private set; }

    /// <param name="policyOutput">The policy's mean (Gaussian) or logits (categorical) on this tick; empty while the expert drives with no policy output.</param>
    public GateDecision Observe(ulong episode, ulong episodeTick, ReadOnlySpan<float> observation, ReadOnlySpan<float> policyOutput, bool helpRequested)
    {
        if (episode != _episode)
        {
            // A new episode: whoever drove the last one, the policy starts this one.
            bool wasDriving = Driving;
            _episode = episode;
            Driving = false;
            Replan(episodeTick, observation);
            return wasDriving ? GateDecision.HandBack : GateDecision.Watch;
        }
        if (!Driving)
        {
            if (episodeTick - _planStart >= (ulong)_options.PlanHorizon)
            {
                Replan(episodeTick, observation);
            }
            LastDrift = Drift(episodeTick, observation);
            if (!helpRequested && LastDrift <= _options.DriftThreshold)
            {
                return GateDecision.Watch;
            }
            Driving = true;
            _driven = 0;
            Array.Clear(_agreement);
            ComputeCommand(observation);
            return GateDecision.TakeOver;
        }
        _driven++;
        _model.Act(observation, _expertHere);
        _agreement[_driven % _agreement.Length] = Agrees(policyOutput);
        if (_driven >= Math.Max(_options.MinimumDriveTicks, _agreement.Length) && _agreement.Count(agreed => agreed) >= _options.AgreementShare * _agreement.Length)
        {
            Driving = false;
            Replan(episodeTick, observation);
            return GateDecision.HandBack;
        }
        ComputeCommand(observation);
        return GateDecision.Drive;
    }

    private void Replan(ulong episodeTick, ReadOnlySpan<float> observation)
    {
        _planStart = episodeTick;
        _model.Plan(observation, _plan);
        LastDrift = 0;
    }

    /// <summary>How much further from the goal the robot is than the plan said it would be on this tick.</summary>
    private double Drift(ulong episodeTick, ReadOnlySpan<float> observation)
    {
        long index = (long)(episodeTick - _planStart) - 1;
        if (index < 0)
        {
            return 0;
        }
        var planned = _plan.AsSpan((int)index * observation.Length, observation.Length);
        return (_model.GoalError(observation) - _model.GoalError(planned)) / _model.GoalTolerance;
    }

    private void ComputeCommand(ReadOnlySpan<float> observation)
    {
        _model.Plan(observation, _predicted);
        _model.Act(_predicted, Command);
    }

    private bool Agrees(ReadOnlySpan<float> policyOutput)
    {
        if (policyOutput.IsEmpty)
        {
            return false;
        }
        if (_categorical)
        {
            int best = 0;
            for (int i = 1; i < policyOutput.Length; i++)
            {
                best = policyOutput[i] > policyOutput[best] ? i : best;
            }
            return best == (int)_expertHere[0];
        }
        for (int i = 0; i < policyOutput.Length; i++)
        {
            if (Math.Abs(policyOutput[i] - _expertHere[i]) > _options.AgreementTolerance * _actionStd[i])
            {
                return false;
            }
        }
        return true;
    }
}
