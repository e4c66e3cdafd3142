using System.Globalization;
using Robotics.Controller.Loop;
using Robotics.Protos.Log;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary>Reports a running loop's notes, faults and episode ends from the command's thread, and waits for it to finish.</summary>
internal static class LoopMonitor
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <param name="events">A subscription taken before the loop started, so no event is missed.</param>
    /// <param name="robot">False for a benchmark's null robot, whose one episode, aborted when the run ends, is not worth a line.</param>
    public static LoopReport Watch(ControlLoop loop, EventHub hub, EventFanout.Subscription events, CommandOutput console, bool robot = true)
    {
        int notesShown = 0;
        while (true)
        {
            bool running = loop.IsRunning;
            for (; notesShown < loop.Notes.Count; notesShown++)
            {
                console.Warning(loop.Notes[notesShown]);
            }
            if (!running)
            {
                hub.Flush();
            }
            while (events.Reader.TryRead(out var e))
            {
                if (robot || e.Kind != LoopEventKind.EpisodeEnded)
                {
                    Report(console, e);
                }
            }
            if (!running)
            {
                return loop.WaitForExit();
            }
            // Woken by the loop's end at once: a stop's log close and summary do not wait out a poll.
            loop.WaitForEnd(PollInterval);
        }
    }

    private static void Report(CommandOutput console, LoopEvent e)
    {
        switch (e.Kind)
        {
            case LoopEventKind.EpisodeEnded:
                string outcome = e.Outcome switch
                {
                    EpisodeOutcome.Success => "success",
                    EpisodeOutcome.Failure => "failure",
                    _ => "aborted",
                };
                console.Line(string.Create(CultureInfo.InvariantCulture, $"episode {e.Episode}: {outcome} after {e.Tick} ticks ({e.Text})"));
                break;
            case LoopEventKind.Fault:
                console.Warning(string.Create(CultureInfo.InvariantCulture, $"episode {e.Episode}, tick {e.Tick}: {e.Text} (entry {e.Index}); the robot was sent its safe action"));
                break;
            case LoopEventKind.HelpRequested:
                console.Line(string.Create(CultureInfo.InvariantCulture, $"episode {e.Episode}, tick {e.Tick}: {e.Text} (uncertainty {e.Uncertainty:F2}, observation z {e.ObservationZ:F1})"));
                break;
            case LoopEventKind.HaltUnconfirmed:
                console.Error(e.Text);
                break;
            case LoopEventKind.RecordingFailed:
                console.Warning(string.Create(CultureInfo.InvariantCulture, $"episode {e.Episode}, tick {e.Tick}: {e.Text}"));
                break;
            case LoopEventKind.EpisodeStarted:
                break;
            default:
                console.Line(string.Create(CultureInfo.InvariantCulture, $"episode {e.Episode}, tick {e.Tick}: {e.Text}"));
                break;
        }
    }
}
