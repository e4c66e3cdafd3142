using Robotics.Hardware.Robots;
using Robotics.Protos.Log;

namespace Robotics.Controller.Loop;

/// <summary>Why the robot was made safe.</summary>
public enum FaultKind
{
    None,
    /// <summary>A sensor sample was older than its limit.</summary>
    StaleSensor,
    /// <summary>A sensor returned NaN or infinity.</summary>
    NonFiniteObservation,
    /// <summary>The policy or operator commanded NaN or infinity.</summary>
    NonFiniteAction,
}

/// <summary>
/// The last word before the actuators: every command is clamped to its limits and rate limits, and a
/// non-finite value or a stale sensor latches a fault that sends the safe action until the fault is cleared
/// (a new episode, or an operator). Allocation-free.
/// </summary>
public sealed class SafetyLayer
{
    private readonly IReadOnlyList<ActionSpec> _actions;
    private readonly float[] _last;
    private readonly float[] _maxStep;
    private readonly bool _discrete;

    public SafetyLayer(RobotDescription robot, double rateHz)
    {
        _actions = robot.Actions;
        _discrete = robot.IsDiscrete;
        _last = new float[_actions.Count];
        _maxStep = [.. _actions.Select(a => (float)(a.MaxRate / rateHz))];
        ClearFault();
    }

    public FaultKind Fault { get; private set; }

    /// <summary>The sensor or action entry the fault is about, or −1.</summary>
    public int FaultIndex { get; private set; } = -1;

    /// <summary>Latches a fault (the first one stays until cleared). Returns true when this call latched it.</summary>
    public bool Latch(FaultKind fault, int index)
    {
        if (Fault != FaultKind.None)
        {
            return false;
        }
        Fault = fault;
        FaultIndex = index;
        return true;
    }

    /// <summary>Clears the fault and restarts rate limiting from the safe action.</summary>
    public void ClearFault()
    {
        Fault = FaultKind.None;
        FaultIndex = -1;
        for (int i = 0; i < _last.Length; i++)
        {
            _last[i] = _discrete ? 0 : _actions[i].Safe;
        }
    }

    /// <summary>
    /// Writes the action to send into <paramref name="applied"/>: <paramref name="command"/> clamped and rate
    /// limited, or the safe action when a fault is latched (a non-finite command latches one here).
    /// Returns the flags to record.
    /// </summary>
    public StepFlag Apply(ReadOnlySpan<float> command, Span<float> applied)
    {
        for (int i = 0; i < command.Length; i++)
        {
            if (!float.IsFinite(command[i]))
            {
                Latch(FaultKind.NonFiniteAction, i);
                break;
            }
        }
        if (Fault != FaultKind.None)
        {
            WriteSafe(applied);
            return StepFlag.None;
        }
        var flags = StepFlag.None;
        for (int i = 0; i < command.Length; i++)
        {
            var spec = _actions[i];
            float value = Math.Clamp(command[i], spec.Min, spec.Max);
            if (_discrete)
            {
                value = MathF.Round(value);
            }
            else
            {
                value = Math.Clamp(value, _last[i] - _maxStep[i], _last[i] + _maxStep[i]);
            }
            if (value != command[i])
            {
                flags |= StepFlag.ActionClamped;
            }
            applied[i] = value;
            _last[i] = value;
        }
        return flags;
    }

    /// <summary>The safe action: each entry's safe value (for a discrete robot, −1: no command).</summary>
    public void WriteSafe(Span<float> applied)
    {
        for (int i = 0; i < _actions.Count; i++)
        {
            applied[i] = _actions[i].Safe;
            _last[i] = _discrete ? 0 : _actions[i].Safe;
        }
    }
}
