using Grpc.Core;
using Robotics.Controller.Link;
using Robotics.Controller.Remote;
using Robotics.Protos.Control;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Gateway;

/// <summary>
/// Control: mode, episode reset, recording, emergency stop. A thin translation: each call becomes a request over the
/// link, which the loop process's control plane carries out, one at a time, in arrival order; a refusal becomes the
/// gRPC status it names, with its message.
/// </summary>
public sealed class ControlService(GatewaySession session) : Protos.Control.Control.ControlBase
{
    public override Task<ControlReply> SetMode(SetModeRequest request, ServerCallContext context)
    {
        var mode = ProtoMapping.FromProto(request.Mode) ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "mode must be autonomous, teleop or shadow"));
        return AskAsync(LinkRequestKind.SetMode, (long)mode);
    }

    public override Task<ControlReply> ResetEpisode(ResetEpisodeRequest request, ServerCallContext context) => AskAsync(LinkRequestKind.ResetEpisode);

    public override Task<ControlReply> StartRecording(StartRecordingRequest request, ServerCallContext context) =>
        AskAsync(LinkRequestKind.StartRecording, text: request.Path);

    public override Task<ControlReply> StopRecording(StopRecordingRequest request, ServerCallContext context) => AskAsync(LinkRequestKind.StopRecording);

    public override Task<ControlReply> EmergencyStop(EmergencyStopRequest request, ServerCallContext context) =>
        AskAsync(LinkRequestKind.EmergencyStop, text: request.Reason);

    public override Task<ControlReply> ReleaseEmergencyStop(ReleaseEmergencyStopRequest request, ServerCallContext context) =>
        AskAsync(LinkRequestKind.ReleaseEmergencyStop);

    private async Task<ControlReply> AskAsync(LinkRequestKind kind, long argument = 0, string text = "")
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > Shared.FixedText.Capacity)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{(kind == LinkRequestKind.StartRecording ? "path" : "reason")}: at most {Shared.FixedText.Capacity} bytes of UTF-8"));
        }
        var answer = await session.Link.AskAsync(kind, argument, text);
        if (answer.Failure is { } failure)
        {
            throw new RpcException(new Status(failure.ToStatusCode(), answer.Message));
        }
        return new ControlReply
        {
            Message = answer.Message,
            Mode = answer.Mode.ToProto(),
            EmergencyStopped = answer.EmergencyStopped,
            Recording = answer.Recording,
        };
    }
}
