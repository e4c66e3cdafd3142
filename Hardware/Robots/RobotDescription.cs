using Robotics.Protos.TeleopLog;

namespace Robotics.Hardware.Robots;

/// <summary>
/// A robot as the control loop sees it, known before anything is connected: the names, units and limits of
/// its observation and action vectors, its control rate, and for a discrete action space the names of its
/// actions (the action vector is then one entry, the chosen index).
/// </summary>
public sealed class RobotDescription
{
    public RobotDescription(string name, double rateHz, IReadOnlyList<ObservationSpec> observations, IReadOnlyList<ActionSpec> actions,
        IReadOnlyList<string>? discreteActions = null)
    {
        Name = name;
        RateHz = rateHz;
        Observations = observations;
        Actions = actions;
        DiscreteActions = discreteActions ?? [];
    }

    public string Name { get; }

    /// <summary>The control rate the robot is meant to run at, in hertz.</summary>
    public double RateHz { get; }

    public IReadOnlyList<ObservationSpec> Observations { get; }

    public IReadOnlyList<ActionSpec> Actions { get; }

    public IReadOnlyList<string> DiscreteActions { get; }

    public bool IsDiscrete => DiscreteActions.Count > 0;

    /// <summary>What the teleop log records at each episode start.</summary>
    public EpisodeInfo ToEpisodeInfo(double rateHz, string task, string @operator) => new(
        Name,
        [.. Observations.Select(o => new SignalSpec(o.Name, o.Unit))],
        [.. Actions.Select(a => new SignalSpec(a.Name, a.Unit))],
        rateHz,
        DiscreteActions,
        task,
        @operator);
}
