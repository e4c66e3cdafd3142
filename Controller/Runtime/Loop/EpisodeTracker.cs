using Robotics.Controller.Ticks;
using Robotics.Protos.Log;

namespace Robotics.Controller.Loop;

/// <summary>
/// The loop's episodes: their numbers, the tick within the current one, and their boundaries, each published as a
/// record in the tick ring (for the recorder), an event (for the event hub) and a count (for the report).
/// Loop thread only; allocation-free.
/// </summary>
internal sealed class EpisodeTracker(TickRing ticks, EndReasons reasons, SpscRing<LoopEvent> events, LoopStatistics statistics, Action waitForRoom)
{
    /// <summary>The current episode (from 1; 0 before the first).</summary>
    public ulong Episode { get; private set; }

    /// <summary>The current step's index within the episode.</summary>
    public ulong Tick { get; private set; }

    public bool Open { get; private set; }

    public void Begin(long now, long loopTick, ControlMode mode)
    {
        Episode++;
        Tick = 0;
        Open = true;
        waitForRoom();
        ticks.WriteEpisodeRecord(new TickHeader { Kind = TickKind.EpisodeStart, TimestampNs = now, LoopTick = loopTick, Episode = Episode, Mode = mode });
        events.TryWrite(new LoopEvent(LoopEventKind.EpisodeStarted, now, Episode, 0));
    }

    /// <param name="reason">A constant string (a simulator's verdict, a fault's text): it is stored as a code.</param>
    public void End(long now, long loopTick, ControlMode mode, EpisodeOutcome outcome, string reason)
    {
        Open = false;
        statistics.CountEpisode(outcome);
        waitForRoom();
        ticks.WriteEpisodeRecord(new TickHeader
        {
            Kind = TickKind.EpisodeEnd,
            TimestampNs = now,
            LoopTick = loopTick,
            Episode = Episode,
            EpisodeTick = Tick,
            Mode = mode,
            Outcome = outcome,
            Reason = reasons.CodeOf(reason),
        });
        events.TryWrite(new LoopEvent(LoopEventKind.EpisodeEnded, now, Episode, Tick, outcome, Text: reason));
    }

    /// <summary>After each step.</summary>
    public void Advance() => Tick++;
}
