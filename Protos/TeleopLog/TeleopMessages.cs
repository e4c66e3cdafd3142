using Robotics.Protos.Log;

namespace Robotics.Protos.TeleopLog;

/// <summary>
/// The teleop log's episode messages, built one way for the log's writer and for a live stream of the same topics
/// (the gateway's Foxglove server), so a reader of either sees the same fields.
/// </summary>
public static class TeleopMessages
{
    /// <summary>An episode's start: <paramref name="info"/> says the robot, its rate, task, operator and signals.</summary>
    /// <param name="unixOffsetNs">What to add to the monotonic <paramref name="timestampNs"/> for Unix time (<see cref="MonotonicClock.UnixOffsetNs"/>).</param>
    public static EpisodeStart EpisodeStart(ulong episodeId, long timestampNs, long unixOffsetNs, EpisodeInfo info)
    {
        var start = new EpisodeStart
        {
            EpisodeId = episodeId,
            TimestampNs = (ulong)timestampNs,
            UnixTimeNs = (ulong)(timestampNs + unixOffsetNs),
            Robot = info.Robot,
            ControlRateHz = info.ControlRateHz,
            Task = info.Task,
            Operator = info.Operator,
        };
        start.Observations.AddRange(info.Observations.Select(s => new SignalInfo { Name = s.Name, Unit = s.Unit }));
        start.Actions.AddRange(info.Actions.Select(s => new SignalInfo { Name = s.Name, Unit = s.Unit }));
        start.DiscreteActions.AddRange(info.DiscreteActions);
        return start;
    }

    /// <summary>An episode's end, with how it ended and the steps of it a recorder lost.</summary>
    public static EpisodeEnd EpisodeEnd(ulong episodeId, long timestampNs, EpisodeOutcome outcome, string reason, ulong droppedSteps = 0) => new()
    {
        EpisodeId = episodeId,
        TimestampNs = (ulong)timestampNs,
        Outcome = outcome,
        Reason = reason,
        DroppedSteps = droppedSteps,
    };
}
