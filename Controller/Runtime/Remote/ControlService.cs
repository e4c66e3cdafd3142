using Grpc.Core;
using Robotics.Controller.Control;
using Robotics.Protos.Control;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Remote;

/// <summary>
/// Control: mode, episode reset, recording, emergency stop. A thin translation: each call becomes a request to the
/// robot's <see cref="ControlPlane"/>, which carries requests out one at a time; a refusal becomes the gRPC status
/// it names, with its message.
/// </summary>
public sealed class ControlService(RobotSession session) : Protos.Control.Control.ControlBase
{
    public override Task<ControlReply> SetMode(SetModeRequest request, ServerCallContext context)
    {
        var mode = ProtoMapping.FromProto(request.Mode) ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "mode must be autonomous, teleop or shadow"));
        return ReplyAsync(session.Plane.SetModeAsync(mode, context.CancellationToken));
    }

    public override Task<ControlReply> ResetEpisode(ResetEpisodeRequest request, ServerCallContext context) =>
        ReplyAsync(session.Plane.ResetEpisodeAsync(context.CancellationToken));

    public override Task<ControlReply> StartRecording(StartRecordingRequest request, ServerCallContext context) =>
        ReplyAsync(session.Plane.StartRecordingAsync(request.Path, context.CancellationToken));

    public override Task<ControlReply> StopRecording(StopRecordingRequest request, ServerCallContext context) =>
        ReplyAsync(session.Plane.StopRecordingAsync(context.CancellationToken));

    public override Task<ControlReply> EmergencyStop(EmergencyStopRequest request, ServerCallContext context)
    {
        var reply = session.Plane.EmergencyStopAsync(request.Reason, context.CancellationToken);
        session.RevokeLease();
        return ReplyAsync(reply);
    }

    public override Task<ControlReply> ReleaseEmergencyStop(ReleaseEmergencyStopRequest request, ServerCallContext context) =>
        ReplyAsync(session.Plane.ReleaseEmergencyStopAsync(context.CancellationToken));

    private async Task<ControlReply> ReplyAsync(Task<string> request)
    {
        string message;
        try
        {
            message = await request;
        }
        catch (ControlRefusedException e)
        {
            throw new RpcException(new Status(e.Failure.ToStatusCode(), e.Message));
        }
        var status = session.Loop.Status.Read();
        return new ControlReply
        {
            Message = message,
            Mode = status.Mode.ToProto(),
            EmergencyStopped = session.Loop.Mailbox.StopLatched,
            Recording = session.Plane.RecordingPath,
        };
    }
}
