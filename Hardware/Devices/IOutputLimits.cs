namespace Robotics.Hardware.Devices;

/// <summary>
/// A device that can hold its outputs within limits of its own (a servo's position limits, which it keeps whatever
/// goal reaches it): told, before it starts, the range each output the robot drives will be sent.
/// </summary>
public interface IOutputLimits
{
    /// <summary>
    /// Output <paramref name="output"/> will be sent values from <paramref name="min"/> to <paramref name="max"/>, in the
    /// device's units. Told again for the same output (two actions on one channel), the range takes in both.
    /// </summary>
    void LimitOutput(int output, double min, double max);
}
