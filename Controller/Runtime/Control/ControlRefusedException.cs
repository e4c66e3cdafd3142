namespace Robotics.Controller.Control;

/// <summary>Why a control request was not carried out (each maps to one gRPC status code).</summary>
public enum ControlFailure
{
    /// <summary>Not now: the robot's state forbids it (already recording, no policy, a stop input held).</summary>
    FailedPrecondition,
    /// <summary>The request itself is wrong (an empty path, an unknown mode).</summary>
    InvalidArgument,
    /// <summary>The file to create is already there.</summary>
    AlreadyExists,
    /// <summary>The robot's user may not write there.</summary>
    PermissionDenied,
    /// <summary>The control loop has stopped.</summary>
    Unavailable,
    /// <summary>The loop did not take the request in time; it was withdrawn and will not apply.</summary>
    DeadlineExceeded,
    /// <summary>A recording failed while it was written (a full disk); what reached the file is recoverable.</summary>
    DataLoss,
}

/// <summary>A control request refused or failed, with one message that names what is wrong; nothing was applied or left open.</summary>
public sealed class ControlRefusedException(ControlFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public ControlFailure Failure => failure;
}
