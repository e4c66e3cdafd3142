namespace Robotics.Controller.Safety;

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
    /// <summary>The policy's outputs (any head's) held NaN or infinity while it was driving.</summary>
    NonFinitePolicyOutput,
}

/// <summary>What each fault is called in events and in the log's episode ends.</summary>
public static class FaultTexts
{
    public static string Of(FaultKind fault) => fault switch
    {
        FaultKind.StaleSensor => "fault: stale sensor",
        FaultKind.NonFiniteObservation => "fault: sensor returned NaN or infinity",
        FaultKind.NonFiniteAction => "fault: commanded NaN or infinity",
        FaultKind.NonFinitePolicyOutput => "fault: policy output NaN or infinity",
        _ => "fault",
    };
}
