namespace Robotics.Hardware.Robots;

/// <summary>One entry of a robot's action vector: what it drives, and the limits the safety layer enforces.</summary>
/// <param name="Min">Lowest value the actuator may be sent.</param>
/// <param name="Max">Highest value the actuator may be sent.</param>
/// <param name="MaxRate">Largest change per second (units/s); infinity for none.</param>
/// <param name="Safe">What to send when the robot must be made safe (fault, stop, stall).</param>
public sealed record ActionSpec(string Name, string Unit, float Min, float Max, float MaxRate, float Safe);

/// <summary>One entry of a robot's observation vector.</summary>
/// <param name="MaxAgeNs">How old its sample may be before the tick is a stale-sensor fault.</param>
/// <param name="Device">The device its samples come from, on a robot built from a config; null otherwise.</param>
/// <param name="StaleRecovery">How a stale-sensor fault on it clears: its device's rule (operator only by default).</param>
public sealed record ObservationSpec(string Name, string Unit, long MaxAgeNs, string? Device = null, StaleRecovery StaleRecovery = default);
