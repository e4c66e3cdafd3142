using Robotics.Hardware.Robots;

namespace Robotics.Controller.Safety;

/// <summary>
/// The last word on a command's values before the actuators: each entry is clamped to its limits and, for a
/// continuous robot, to its rate limit from the value sent on the tick before; a discrete robot's index is
/// rounded. Whether the robot is held safe instead is the <see cref="SafetySupervisor"/>'s decision. Allocation-free.
/// </summary>
public sealed class ActionLimiter
{
    private readonly IReadOnlyList<ActionSpec> _actions;
    private readonly float[] _last;
    private readonly float[] _maxStep;
    private readonly bool _discrete;

    public ActionLimiter(RobotDescription robot, double rateHz)
    {
        _actions = robot.Actions;
        _discrete = robot.IsDiscrete;
        _last = new float[_actions.Count];
        _maxStep = [.. _actions.Select(a => (float)(a.MaxRate / rateHz))];
        WriteSafe(new float[_actions.Count]);
    }

    /// <summary>
    /// Writes <paramref name="command"/>, clamped and rate limited, into <paramref name="applied"/>; true when
    /// that changed any value (the tick is flagged ACTION_CLAMPED). The command must be finite (the supervisor
    /// holds the robot safe on one that is not).
    /// </summary>
    public bool Apply(ReadOnlySpan<float> command, Span<float> applied)
    {
        bool changed = false;
        for (int i = 0; i < command.Length; i++)
        {
            var spec = _actions[i];
            float value = Math.Clamp(command[i], spec.Min, spec.Max);
            value = _discrete ? MathF.Round(value) : Math.Clamp(value, _last[i] - _maxStep[i], _last[i] + _maxStep[i]);
            changed |= value != command[i];
            applied[i] = value;
            _last[i] = value;
        }
        return changed;
    }

    /// <summary>The safe action: each entry's safe value (for a discrete robot, −1: no command). Rate limiting restarts from it.</summary>
    public void WriteSafe(Span<float> applied)
    {
        for (int i = 0; i < _actions.Count; i++)
        {
            applied[i] = _actions[i].Safe;
            _last[i] = _discrete ? 0 : _actions[i].Safe;
        }
    }
}
