using Grpc.Core;
using Robotics.Controller.Loop;
using Robotics.Protos.Control;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Remote;

/// <summary>Control: mode, episode reset, recording, emergency stop. Each request is checked, posted to the loop, and answered once the loop has acted.</summary>
public sealed class ControlService(RobotSession session) : Protos.Control.Control.ControlBase
{
    public override async Task<ControlReply> SetMode(SetModeRequest request, ServerCallContext context)
    {
        var mode = ProtoMapping.FromProto(request.Mode) ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "mode must be autonomous, teleop or shadow"));
        var loop = session.Loop;
        if (mode != ControlMode.Teleop && loop.Policy is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"mode {mode.ToString().ToLowerInvariant()} needs a policy, and this robot was started without one"));
        }
        loop.Control.RequestMode(mode);
        await session.WaitForAsync(() => loop.Control.Mode == mode, context.CancellationToken);
        return Reply($"mode is {mode.ToString().ToLowerInvariant()}");
    }

    public override async Task<ControlReply> ResetEpisode(ResetEpisodeRequest request, ServerCallContext context)
    {
        ulong episode = session.Loop.Episode;
        session.Loop.Control.RequestReset();
        await session.WaitForAsync(() => session.Loop.Episode != episode, context.CancellationToken);
        return Reply($"episode {episode} ended; episode {session.Loop.Episode} started");
    }

    public override async Task<ControlReply> StartRecording(StartRecordingRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Path))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "path: where on the robot to write the log"));
        }
        if (session.Loop.Control.Recording)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the robot is already recording"));
        }
        try
        {
            await session.StartRecordingAsync(request.Path, context.CancellationToken);
        }
        catch (IOException e)
        {
            throw new RpcException(new Status(File.Exists(request.Path) ? StatusCode.AlreadyExists : StatusCode.InvalidArgument, e.Message));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, e.Message));
        }
        session.Publish(LoopEventKind.RecordingStarted, $"recording to {request.Path}");
        return Reply($"recording to {request.Path}");
    }

    public override async Task<ControlReply> StopRecording(StopRecordingRequest request, ServerCallContext context)
    {
        if (!session.Loop.Control.Recording)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the robot is not recording"));
        }
        string path = await session.StopRecordingAsync(context.CancellationToken);
        return Reply(path.Length > 0 ? $"stopped recording to {path}" : "stopped recording");
    }

    public override Task<ControlReply> EmergencyStop(EmergencyStopRequest request, ServerCallContext context)
    {
        session.EmergencyStop(request.Reason);
        return Task.FromResult(Reply("emergency stop latched: the robot holds its safe action until ReleaseEmergencyStop"));
    }

    public override Task<ControlReply> ReleaseEmergencyStop(ReleaseEmergencyStopRequest request, ServerCallContext context)
    {
        if (!session.Loop.Control.EmergencyStopped)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the robot is not emergency-stopped"));
        }
        if (session.Loop.Control.StopInputActive)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the robot's own emergency-stop input is still active: release it on the robot first"));
        }
        session.ReleaseEmergencyStop();
        return Task.FromResult(Reply("emergency stop released"));
    }

    private ControlReply Reply(string message) => new()
    {
        Message = message,
        Mode = session.Loop.Control.Mode.ToProto(),
        EmergencyStopped = session.Loop.Control.EmergencyStopped,
        Recording = session.RecordingPath,
    };
}
