namespace Robotics.Protos.TeleopLog;

/// <summary>One named entry of an observation or action vector, with its unit.</summary>
public sealed record SignalSpec(string Name, string Unit);
