namespace Robotics.Protos.TeleopLog;

/// <summary>
/// What a recording says about the robot and the task at the start of each episode (the EpisodeStart
/// message). Immutable and validated when built; the same instance is reused across episodes.
/// </summary>
public sealed class EpisodeInfo
{
    public EpisodeInfo(
        string robot,
        IReadOnlyList<SignalSpec> observations,
        IReadOnlyList<SignalSpec> actions,
        double controlRateHz,
        IReadOnlyList<string>? discreteActions = null,
        string task = "",
        string @operator = "")
    {
        if (string.IsNullOrWhiteSpace(robot))
        {
            throw new ArgumentException("robot: must name the robot", nameof(robot));
        }
        RequireSignals(observations, nameof(observations));
        RequireSignals(actions, nameof(actions));
        if (!double.IsFinite(controlRateHz) || controlRateHz <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(controlRateHz), controlRateHz, "controlRateHz: must be a positive number of hertz");
        }
        discreteActions ??= [];
        if (discreteActions.Count == 1)
        {
            throw new ArgumentException("discreteActions: a discrete action space needs at least two actions", nameof(discreteActions));
        }
        if (discreteActions.Count > 0 && actions.Count != 1)
        {
            throw new ArgumentException("actions: a discrete action space has exactly one action entry, the chosen index", nameof(actions));
        }
        Robot = robot;
        Observations = [.. observations];
        Actions = [.. actions];
        ControlRateHz = controlRateHz;
        DiscreteActions = [.. discreteActions];
        Task = task;
        Operator = @operator;
    }

    public string Robot { get; }

    public IReadOnlyList<SignalSpec> Observations { get; }

    public IReadOnlyList<SignalSpec> Actions { get; }

    public double ControlRateHz { get; }

    /// <summary>Names of the discrete actions; empty for a continuous action space.</summary>
    public IReadOnlyList<string> DiscreteActions { get; }

    public bool IsDiscrete => DiscreteActions.Count > 0;

    public string Task { get; }

    public string Operator { get; }

    /// <summary>The same robot with another task or operator, e.g. for the next episode.</summary>
    public EpisodeInfo With(string task, string @operator) =>
        new(Robot, Observations, Actions, ControlRateHz, DiscreteActions, task, @operator);

    /// <summary>True when steps of <paramref name="other"/> have the same vector sizes as this one's.</summary>
    public bool HasSameShape(EpisodeInfo other) =>
        Observations.Count == other.Observations.Count &&
        Actions.Count == other.Actions.Count &&
        DiscreteActions.Count == other.DiscreteActions.Count;

    private static void RequireSignals(IReadOnlyList<SignalSpec> signals, string field)
    {
        if (signals is null || signals.Count == 0)
        {
            throw new ArgumentException($"{field}: needs at least one entry", field);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < signals.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(signals[i].Name))
            {
                throw new ArgumentException($"{field}[{i}]: has no name", field);
            }
            if (!seen.Add(signals[i].Name))
            {
                throw new ArgumentException($"{field}[{i}]: the name '{signals[i].Name}' appears twice", field);
            }
        }
    }
}
