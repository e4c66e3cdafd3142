using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Remote;
using Robotics.Controller.Safety;
using Robotics.Protos;
using RobotStatus = Robotics.Protos.Control.Status;

namespace Robotics.Controller.Gateway;

/// <summary>The robot's status as the remote interface's Status: what GetStatus answers and the live Foxglove channel sends.</summary>
public static class StatusMessages
{
    /// <summary>Reads the loop's status (after its last answer to a request) and asks the loop process for the devices' counters.</summary>
    public static async Task<RobotStatus> ReadAsync(GatewaySession session)
    {
        var link = session.Link;
        var robot = link.Descriptor;
        var now = await link.ReadStatusAfterLastAnswerAsync();
        double uptime = now.StartedAtNs == 0 ? 0 : (MonotonicClock.NowNs() - now.StartedAtNs) / 1e9;
        var status = new RobotStatus
        {
            Robot = robot.Robot,
            Mode = ((ControlMode)now.Mode).ToProto(),
            NominalRateHz = robot.RateHz,
            AchievedRateHz = uptime > 0 ? now.Ticks / uptime : 0,
            Ticks = (ulong)now.Ticks,
            Overruns = (ulong)now.Overruns,
            UptimeS = uptime,
            Fault = ((FaultKind)now.Fault).ToProto(),
            OverrideOwner = now.OverrideOwner.Read() ?? "",
            EmergencyStopped = now.Flags.HasFlag(LinkStatusBits.EmergencyStopped),
            Recording = now.RecordingPath.Read() ?? "",
            Episode = now.Episode,
            LatenessP50Us = now.LatenessP50Us,
            LatenessP99Us = now.LatenessP99Us,
            TelemetrySubscribers = (uint)session.TelemetrySubscribers,
            RecordingFailed = now.Flags.HasFlag(LinkStatusBits.RecordingFailed),
            RecordingStepsKept = (ulong)now.RecordingStepsKept,
            RecordingStepsDropped = (ulong)now.RecordingStepsDropped,
            RecordingError = now.RecordingError.Read() ?? "",
            RejectedCommands = (ulong)now.RejectedCommands,
            RejectedRequests = (ulong)now.RejectedRequests,
            Model = robot.Model,
        };
        status.ObservationNames.AddRange(robot.ObservationNames);
        status.ActionNames.AddRange(robot.Actions.Select(a => a.Name));
        // The devices' counters are read in the loop process when asked for (reading them allocates there).
        var devices = await link.AskAsync(LinkRequestKind.DeviceCounters);
        if (devices.Failure is null)
        {
            status.Devices.AddRange(RobotStatus.Parser.ParseFrom(devices.Data).Devices);
        }
        return status;
    }
}
