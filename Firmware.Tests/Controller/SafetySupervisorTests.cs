using Robotics.Controller.Safety;

namespace Robotics.Tests.Controller;

/// <summary>
/// The safety supervisor's rules as a table: a state and a tick's inputs in, the next state and what the loop must
/// do out. Each row is one rule the loop tests exercise through a running loop (named beside it).
/// </summary>
public sealed class SafetySupervisorTests
{
    private static readonly SafetyState Running = SafetyState.Initial;
    private static readonly SafetyState Stopped = new(true, 1, FaultKind.None, -1, false);
    private static readonly SafetyState Faulted = new(false, 0, FaultKind.StaleSensor, 1, false);
    private static readonly SafetyState StoppedAndFaulted = new(true, 1, FaultKind.NonFiniteAction, 0, false);
    private static readonly SafetyState StoppedAndStale = new(true, 1, FaultKind.StaleSensor, 1, false);

    // Outputs: HoldSafe, Halt, Resume, NewFault, NewFaultIndex, StopInputLatched, Released, RecoveredIndex.
    private static readonly SafetyOutputs Drive = new(false, false, false, FaultKind.None, -1, -1, false, -1);

    public static TheoryData<string, SafetyState, SafetyInputs, SafetyState, SafetyOutputs> Rules => new()
    {
        {
            "nothing wrong: the command drives, devices untouched",
            Running, new SafetyInputs(false, 0),
            Running, Drive
        },
        {
            "an operator's stop (latched since the last tick): held safe and halted",
            Running, new SafetyInputs(true, 1),
            Stopped, Drive with { HoldSafe = true, Halt = true }
        },
        {
            "the stop holds: halted again every tick (ControlLoopTests, RoverSampleTests)",
            Stopped, new SafetyInputs(true, 1),
            Stopped, Drive with { HoldSafe = true, Halt = true }
        },
        {
            "a stop input on the robot latches the stop, which the loop passes to the control plane",
            Running, new SafetyInputs(false, 0, StopInput: 2),
            new SafetyState(true, 1, FaultKind.None, -1, false), Drive with { HoldSafe = true, Halt = true, StopInputLatched = 2 }
        },
        {
            "a stop input while already stopped latches nothing new",
            Stopped, new SafetyInputs(true, 1, StopInput: 0),
            Stopped, Drive with { HoldSafe = true, Halt = true }
        },
        {
            "released: the devices resume on this tick (RemoteControlTests.Emergency_stop_...)",
            Stopped, new SafetyInputs(false, 1),
            new SafetyState(false, 1, FaultKind.None, -1, false), Drive with { Resume = true, Released = true }
        },
        {
            "latched and released between two ticks: still a release, still a resume (ControlLoopTests)",
            Running, new SafetyInputs(false, 1),
            new SafetyState(false, 1, FaultKind.None, -1, false), Drive with { Resume = true, Released = true }
        },
        {
            "a release also clears a fault latched during the stop",
            StoppedAndFaulted, new SafetyInputs(false, 1),
            new SafetyState(false, 1, FaultKind.None, -1, false), Drive with { Resume = true, Released = true }
        },
        {
            "released, but a sensor is stale on that tick: the new fault holds, no resume yet",
            Stopped, new SafetyInputs(false, 1, StaleSensor: 0),
            new SafetyState(false, 1, FaultKind.StaleSensor, 0, true), Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.StaleSensor, NewFaultIndex = 0, Released = true }
        },
        {
            "released after the watchdog tripped: no resume until the controller restarts (ControlLoopTests)",
            Stopped, new SafetyInputs(false, 1, WatchdogTripped: true),
            new SafetyState(false, 1, FaultKind.None, -1, false), Drive with { Released = true }
        },
        {
            "a stale sensor latches a fault, halts once, holds safe (ControlLoopTests.A_stale_sensor_...)",
            Running, new SafetyInputs(false, 0, StaleSensor: 1),
            Faulted, Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.StaleSensor, NewFaultIndex = 1 }
        },
        {
            "a fault stays latched, without halting again (a stale one under the default rule: the loop never says recovered)",
            Faulted, new SafetyInputs(false, 0),
            Faulted, Drive with { HoldSafe = true }
        },
        {
            "a stale fault whose device has been fresh for its rule's ticks clears by itself and resumes (StaleRecoveryTests)",
            Faulted, new SafetyInputs(false, 0, StaleRecovered: true),
            Running, Drive with { Resume = true, RecoveredIndex = 1 }
        },
        {
            "no other fault clears by itself: a NaN says the sensor or the model is wrong, not the link",
            new SafetyState(false, 0, FaultKind.NonFiniteObservation, 1, false), new SafetyInputs(false, 0, StaleRecovered: true),
            new SafetyState(false, 0, FaultKind.NonFiniteObservation, 1, false), Drive with { HoldSafe = true }
        },
        {
            "nor a non-finite policy output",
            new SafetyState(false, 0, FaultKind.NonFinitePolicyOutput, 0, false), new SafetyInputs(false, 0, StaleRecovered: true),
            new SafetyState(false, 0, FaultKind.NonFinitePolicyOutput, 0, false), Drive with { HoldSafe = true }
        },
        {
            "nor a non-finite command",
            new SafetyState(false, 0, FaultKind.NonFiniteAction, 0, false), new SafetyInputs(false, 0, StaleRecovered: true),
            new SafetyState(false, 0, FaultKind.NonFiniteAction, 0, false), Drive with { HoldSafe = true }
        },
        {
            "recovered after the watchdog tripped: cleared, but the devices stay halted until the controller restarts",
            Faulted, new SafetyInputs(false, 0, WatchdogTripped: true, StaleRecovered: true),
            Running, Drive with { RecoveredIndex = 1 }
        },
        {
            "recovered on a tick another sensor is stale: that one's fault latches at once, no resume",
            Faulted, new SafetyInputs(false, 0, StaleSensor: 0, StaleRecovered: true),
            new SafetyState(false, 0, FaultKind.StaleSensor, 0, true), Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.StaleSensor, NewFaultIndex = 0, RecoveredIndex = 1 }
        },
        {
            "recovered while stopped: cleared, the resume waits for the stop's release",
            StoppedAndStale, new SafetyInputs(true, 1, StaleRecovered: true),
            new SafetyState(true, 1, FaultKind.None, -1, true), Drive with { HoldSafe = true, Halt = true, RecoveredIndex = 1 }
        },
        {
            "an operator's reset on the same tick clears it: the operator's doing, not a recovery",
            Faulted, new SafetyInputs(false, 0, ClearFault: true, StaleRecovered: true),
            Running, Drive with { Resume = true }
        },
        {
            "the first fault stays: a later one is not latched over it",
            Faulted, new SafetyInputs(false, 0, NonFiniteCommand: 0),
            Faulted, Drive with { HoldSafe = true }
        },
        {
            "a NaN observation latches a fault",
            Running, new SafetyInputs(false, 0, NonFiniteObservation: 3),
            new SafetyState(false, 0, FaultKind.NonFiniteObservation, 3, false), Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.NonFiniteObservation, NewFaultIndex = 3 }
        },
        {
            "a policy whose outputs hold NaN must not drive, whatever its head (a categorical argmax is a finite index)",
            Running, new SafetyInputs(false, 0, NonFinitePolicyOutput: 1, NonFiniteCommand: -1),
            new SafetyState(false, 0, FaultKind.NonFinitePolicyOutput, 1, false), Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.NonFinitePolicyOutput, NewFaultIndex = 1 }
        },
        {
            "a NaN command latches a fault (ControlLoopTests.A_command_of_NaN_...)",
            Running, new SafetyInputs(false, 0, NonFiniteCommand: 0),
            new SafetyState(false, 0, FaultKind.NonFiniteAction, 0, false), Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.NonFiniteAction, NewFaultIndex = 0 }
        },
        {
            "the stale sensor is named before the NaN it causes downstream",
            Running, new SafetyInputs(false, 0, StaleSensor: 1, NonFiniteObservation: 1, NonFiniteCommand: 0),
            Faulted, Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.StaleSensor, NewFaultIndex = 1 }
        },
        {
            "a new episode or a reset clears the fault and resumes on that tick (ControlLoopTests.An_operator_reset_...)",
            Faulted, new SafetyInputs(false, 0, ClearFault: true),
            Running, Drive with { Resume = true }
        },
        {
            "a reset on a tick whose sensor is still stale: cleared, latched again, not resumed",
            Faulted, new SafetyInputs(false, 0, StaleSensor: 1, ClearFault: true),
            new SafetyState(false, 0, FaultKind.StaleSensor, 1, true), Drive with { HoldSafe = true, Halt = true, NewFault = FaultKind.StaleSensor, NewFaultIndex = 1 }
        },
        {
            "a reset while stopped clears the fault but resumes nothing: the stop still holds",
            StoppedAndFaulted, new SafetyInputs(true, 1, ClearFault: true),
            new SafetyState(true, 1, FaultKind.None, -1, true), Drive with { HoldSafe = true, Halt = true }
        },
        {
            "a pending resume happens on the first tick with no stop and no fault",
            new SafetyState(false, 1, FaultKind.None, -1, true), new SafetyInputs(false, 1),
            Running with { StopLatchesSeen = 1 }, Drive with { Resume = true }
        },
        {
            "a pending resume waits while a stop input is active",
            new SafetyState(false, 1, FaultKind.None, -1, true), new SafetyInputs(false, 1, StopInput: 0),
            new SafetyState(true, 2, FaultKind.None, -1, true), Drive with { HoldSafe = true, Halt = true, StopInputLatched = 0 }
        },
        {
            "a clear with no fault latched does not resume devices that were never halted",
            Running, new SafetyInputs(false, 0, ClearFault: true),
            Running, Drive
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_gives_the_next_state_and_what_the_loop_must_do(string rule, SafetyState state, SafetyInputs inputs, SafetyState expectedState, SafetyOutputs expected)
    {
        var outputs = SafetySupervisor.Decide(state, inputs, out var next);

        Assert.True(expectedState == next, $"{rule}: state {next}, expected {expectedState}");
        Assert.True(expected == outputs, $"{rule}: outputs {outputs}, expected {expected}");
    }

    [Fact]
    public void A_stop_input_held_through_a_release_latches_the_stop_again_on_the_next_tick()
    {
        // Tick 1: the input latches the stop; the loop latches the control plane's too (count 1).
        var outputs = SafetySupervisor.Decide(Running, new SafetyInputs(false, 0, StopInput: 0), out var state);
        Assert.Equal(0, outputs.StopInputLatched);
        // Tick 2: released by an operator (the plane refuses that while the input is held; this is the rule
        // beneath it), input still active: released and latched again at once, never resumed.
        outputs = SafetySupervisor.Decide(state, new SafetyInputs(false, 1, StopInput: 0), out state);
        Assert.True(outputs.Released);
        Assert.Equal(0, outputs.StopInputLatched);
        Assert.False(outputs.Resume);
        Assert.True(outputs.HoldSafe && outputs.Halt);
        Assert.True(state.Stopped && state.ResumePending);
    }
}
