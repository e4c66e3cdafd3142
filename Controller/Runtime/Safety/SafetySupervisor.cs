namespace Robotics.Controller.Safety;

/// <summary>
/// The rules that decide when the robot is held safe and when its devices halt and resume, as one pure function
/// of (state, inputs) → (state, outputs): no threads, no clock, no I/O, so every rule is tested as a row of a
/// table (Firmware.Tests/Controller/SafetySupervisorTests.cs). The loop calls it once per tick with what it
/// read and what arbitration chose, then does what it says.
/// </summary>
/// <remarks>
/// The rules, in the order they apply:
/// <list type="number">
/// <item>A stop released since the last tick — including one latched and released between two ticks, which the
/// latch count shows — clears the fault and asks to resume the devices.</item>
/// <item>The stop follows the control plane's latch. A stop input of the robot that is active (or unreadable)
/// latches it too, from this tick on: the loop tells the control plane, so only an operator's release lifts it.</item>
/// <item>A new episode or an operator's reset clears the fault (and asks to resume).</item>
/// <item>A stale-sensor fault also clears by itself (and asks to resume) once the loop says its device has been fresh
/// for the ticks its rule asks. No other fault does: a NaN or an infinity from a sensor, the policy or a command
/// says the sensor or the model is wrong, which fresh samples do not put right; a stale one says only that the
/// link lapsed, which they do.</item>
/// <item>With no fault latched, the first of these latches one: a stale sensor, a non-finite observation, a
/// non-finite policy output while the policy drives, a non-finite command. The first fault stays until cleared.</item>
/// <item>Devices halt on every tick the stop holds (whoever resumed one since stays overruled) and on the tick a fault latches.</item>
/// <item>A pending resume happens on the first tick that finds no stop and no fault, and never after the
/// watchdog tripped: a loop that stalled once keeps its devices halted until the controller restarts.</item>
/// <item>The robot is held safe (sent its safe action) while the stop holds or a fault is latched.</item>
/// </list>
/// </remarks>
public static class SafetySupervisor
{
    public static SafetyOutputs Decide(in SafetyState state, in SafetyInputs inputs, out SafetyState next)
    {
        var fault = state.Fault;
        int faultIndex = state.FaultIndex;
        bool resumePending = state.ResumePending;

        bool released = !inputs.StopLatched && (state.Stopped || inputs.StopLatches != state.StopLatchesSeen);
        if (released)
        {
            (fault, faultIndex, resumePending) = (FaultKind.None, -1, true);
        }

        bool stopped = inputs.StopLatched;
        long latchesSeen = inputs.StopLatches;
        int stopInputLatched = -1;
        if (inputs.StopInput >= 0 && !stopped)
        {
            stopped = true;
            stopInputLatched = inputs.StopInput;
            // The loop's own latch of the control plane's stop, counted now so it never reads as a release.
            latchesSeen++;
        }

        if (inputs.ClearFault && fault != FaultKind.None)
        {
            (fault, faultIndex, resumePending) = (FaultKind.None, -1, true);
        }

        int recoveredIndex = -1;
        if (inputs.StaleRecovered && fault == FaultKind.StaleSensor)
        {
            recoveredIndex = faultIndex;
            (fault, faultIndex, resumePending) = (FaultKind.None, -1, true);
        }

        var newFault = FaultKind.None;
        int newFaultIndex = -1;
        if (fault == FaultKind.None)
        {
            (newFault, newFaultIndex) = FirstFault(inputs);
            (fault, faultIndex) = (newFault, newFaultIndex);
        }

        bool resume = false;
        if (resumePending && !stopped && fault == FaultKind.None)
        {
            resumePending = false;
            resume = !inputs.WatchdogTripped;
        }

        next = new SafetyState(stopped, latchesSeen, fault, faultIndex, resumePending);
        return new SafetyOutputs(
            HoldSafe: next.HoldsSafe,
            Halt: stopped || newFault != FaultKind.None,
            Resume: resume,
            NewFault: newFault,
            NewFaultIndex: newFaultIndex,
            StopInputLatched: stopInputLatched,
            Released: released,
            RecoveredIndex: recoveredIndex);
    }

    private static (FaultKind Fault, int Index) FirstFault(in SafetyInputs inputs) =>
        inputs.StaleSensor >= 0 ? (FaultKind.StaleSensor, inputs.StaleSensor)
        : inputs.NonFiniteObservation >= 0 ? (FaultKind.NonFiniteObservation, inputs.NonFiniteObservation)
        : inputs.NonFinitePolicyOutput >= 0 ? (FaultKind.NonFinitePolicyOutput, inputs.NonFinitePolicyOutput)
        : inputs.NonFiniteCommand >= 0 ? (FaultKind.NonFiniteAction, inputs.NonFiniteCommand)
        : (FaultKind.None, -1);
}
