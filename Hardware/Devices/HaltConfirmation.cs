namespace Robotics.Hardware.Devices;

/// <summary>
/// How a device's halts went, as far as it can tell: halts its hardware did not confirm within the device's budget
/// (counted once each), and which of its parts (servo ids) were unconfirmed at the latest try.
/// </summary>
/// <param name="Overdue">Halts unconfirmed past the budget since the device started.</param>
/// <param name="Unconfirmed">Parts unconfirmed at the latest try, as an operator names them ("servo 3"); empty once every one has confirmed.</param>
/// <param name="Halt">What the halt does, for messages: "torque off", "hold".</param>
public readonly record struct HaltConfirmation(long Overdue, IReadOnlyList<string> Unconfirmed, string Halt)
{
    /// <summary>A device that cannot read its halt back, or has nothing unconfirmed.</summary>
    public static readonly HaltConfirmation Unknown = new(0, [], "");
}
