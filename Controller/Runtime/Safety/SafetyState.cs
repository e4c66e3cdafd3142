namespace Robotics.Controller.Safety;

/// <summary>What the safety supervisor remembers from one tick to the next.</summary>
/// <param name="Stopped">The emergency stop is latched (by an operator or a stop input on the robot).</param>
/// <param name="StopLatchesSeen">How many times the stop had been latched, by anyone, as of the last tick.</param>
/// <param name="Fault">The latched fault; the first one stays until cleared.</param>
/// <param name="FaultIndex">The sensor, action or output entry the fault is about, or −1.</param>
/// <param name="ResumePending">A release or a cleared fault is waiting for a tick that finds no stop and no fault, to let the devices out of their safe state.</param>
public readonly record struct SafetyState(bool Stopped, long StopLatchesSeen, FaultKind Fault, int FaultIndex, bool ResumePending)
{
    public static SafetyState Initial { get; } = new(false, 0, FaultKind.None, -1, false);

    /// <summary>The robot gets its safe action, whatever was commanded.</summary>
    public bool HoldsSafe => Stopped || Fault != FaultKind.None;
}

/// <summary>What the supervisor looks at on one tick. Indices are −1 when there is nothing to report.</summary>
/// <param name="StopLatched">The stop latch as read once on this tick (after the tick took the control plane's request).</param>
/// <param name="StopLatches">How many times the stop has been latched so far, by anyone (a stop latched and released between two ticks shows here).</param>
/// <param name="StopInput">An emergency-stop input of the robot that is active or could not be read.</param>
/// <param name="StaleSensor">A sensor whose sample is older than its limit.</param>
/// <param name="NonFiniteObservation">The first observation entry that is NaN or infinite.</param>
/// <param name="NonFinitePolicyOutput">The first non-finite output of the policy, when the policy's choice is what would be sent.</param>
/// <param name="NonFiniteCommand">The first non-finite entry of the command arbitration chose.</param>
/// <param name="ClearFault">A new episode or an operator's reset starts with this tick.</param>
/// <param name="WatchdogTripped">The watchdog has halted the devices since the loop started.</param>
/// <param name="StaleRecovered">
/// The latched stale-sensor fault's device has been fresh for as many consecutive ticks as its rule asks (never set
/// under the default rule, operator only).
/// </param>
public readonly record struct SafetyInputs(
    bool StopLatched,
    long StopLatches,
    int StopInput = -1,
    int StaleSensor = -1,
    int NonFiniteObservation = -1,
    int NonFinitePolicyOutput = -1,
    int NonFiniteCommand = -1,
    bool ClearFault = false,
    bool WatchdogTripped = false,
    bool StaleRecovered = false);

/// <summary>What the loop must do on this tick, as the supervisor decided.</summary>
/// <param name="HoldSafe">Send the safe action instead of the command.</param>
/// <param name="Halt">Put every device in its safe state now (servo torque off, PWM safe pulse).</param>
/// <param name="Resume">Let the devices out of their safe state now.</param>
/// <param name="NewFault">The fault this tick latched, or None.</param>
/// <param name="NewFaultIndex">Its entry, or −1.</param>
/// <param name="StopInputLatched">The stop input that latched the stop on this tick (the control plane must latch it too), or −1.</param>
/// <param name="Released">The stop was released since the last tick.</param>
/// <param name="RecoveredIndex">The sensor whose stale fault cleared by itself on this tick, or −1.</param>
public readonly record struct SafetyOutputs(
    bool HoldSafe,
    bool Halt,
    bool Resume,
    FaultKind NewFault,
    int NewFaultIndex,
    int StopInputLatched,
    bool Released,
    int RecoveredIndex);
