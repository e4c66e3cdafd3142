using Robotics.Controller.Loop;
using Robotics.Controller.Remote;
using Robotics.Protos.Control;

namespace Robotics.Controller.Gateway;

/// <summary>A loop event as the remote interface's <see cref="Event"/>: what gRPC event streams and the live Foxglove channel send.</summary>
public static class EventMessages
{
    /// <param name="dropped">Events this subscriber has lost so far (its queue was full).</param>
    public static Event ToProto(LoopEvent e, long dropped) => new()
    {
        TimestampNs = (ulong)e.TimestampNs,
        Kind = e.Kind.ToProto(),
        Episode = e.Episode,
        EpisodeTick = e.Tick,
        Text = e.Kind == LoopEventKind.ModeChanged ? $"{e.Text}: {e.Mode.ToString().ToLowerInvariant()}" : e.Text,
        Outcome = e.Outcome,
        Uncertainty = e.Uncertainty,
        ObservationZ = e.ObservationZ,
        Novelty = e.Novelty,
        HelpTriggers = e.HelpTriggers,
        Dropped = (ulong)dropped,
    };
}
