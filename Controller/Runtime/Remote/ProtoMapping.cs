using Grpc.Core;
using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Controller.Safety;
using Robotics.Protos.Control;

namespace Robotics.Controller.Remote;

/// <summary>The loop's enums in the wire contract's terms.</summary>
public static class ProtoMapping
{
    public static Mode ToProto(this ControlMode mode) => mode switch
    {
        ControlMode.Autonomous => Mode.Autonomous,
        ControlMode.Teleop => Mode.Teleop,
        ControlMode.Shadow => Mode.Shadow,
        _ => Mode.Unspecified,
    };

    public static ControlMode? FromProto(Mode mode) => mode switch
    {
        Mode.Autonomous => ControlMode.Autonomous,
        Mode.Teleop => ControlMode.Teleop,
        Mode.Shadow => ControlMode.Shadow,
        _ => null,
    };

    public static Fault ToProto(this FaultKind fault) => fault switch
    {
        FaultKind.StaleSensor => Fault.StaleSensor,
        FaultKind.NonFiniteObservation => Fault.NonFiniteObservation,
        FaultKind.NonFiniteAction => Fault.NonFiniteAction,
        FaultKind.NonFinitePolicyOutput => Fault.NonFinitePolicyOutput,
        _ => Fault.None,
    };

    public static StatusCode ToStatusCode(this ControlFailure failure) => failure switch
    {
        ControlFailure.FailedPrecondition => StatusCode.FailedPrecondition,
        ControlFailure.InvalidArgument => StatusCode.InvalidArgument,
        ControlFailure.AlreadyExists => StatusCode.AlreadyExists,
        ControlFailure.PermissionDenied => StatusCode.PermissionDenied,
        ControlFailure.Unavailable => StatusCode.Unavailable,
        ControlFailure.DeadlineExceeded => StatusCode.DeadlineExceeded,
        ControlFailure.DataLoss => StatusCode.DataLoss,
        _ => StatusCode.Internal,
    };

    public static EventKind ToProto(this LoopEventKind kind) => kind switch
    {
        LoopEventKind.EpisodeStarted => EventKind.EpisodeStarted,
        LoopEventKind.EpisodeEnded => EventKind.EpisodeEnded,
        LoopEventKind.Fault => EventKind.Fault,
        LoopEventKind.FaultRecovered => EventKind.FaultRecovered,
        LoopEventKind.ModeChanged => EventKind.ModeChanged,
        LoopEventKind.HelpRequested => EventKind.HelpRequested,
        LoopEventKind.OverrideTaken => EventKind.OverrideTaken,
        LoopEventKind.OverrideStale => EventKind.OverrideStale,
        LoopEventKind.OverrideReleased => EventKind.OverrideReleased,
        LoopEventKind.EmergencyStop => EventKind.EmergencyStop,
        LoopEventKind.EmergencyStopReleased => EventKind.EmergencyStopReleased,
        LoopEventKind.RecordingStarted => EventKind.RecordingStarted,
        LoopEventKind.RecordingStopped => EventKind.RecordingStopped,
        LoopEventKind.HaltUnconfirmed => EventKind.HaltUnconfirmed,
        LoopEventKind.RecordingFailed => EventKind.RecordingFailed,
        _ => EventKind.Unspecified,
    };

    public static string FallbackName(OverrideFallback fallback) => fallback == OverrideFallback.Policy ? "policy" : "safe action";
}
