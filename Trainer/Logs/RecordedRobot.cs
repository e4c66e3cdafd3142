using Robotics.Protos.Log;

namespace Robotics.Trainer.Logs;

/// <summary>A robot as a log's episode starts describe it: its name and what it observes and does, in vector order.</summary>
public sealed record RecordedRobot(string Name, IReadOnlyList<SignalInfo> Observations, IReadOnlyList<SignalInfo> Actions, IReadOnlyList<string> DiscreteActions)
{
    /// <summary>
    /// Each distinct robot (name and signals) the starts describe, in the order first met; without starts (a log
    /// closed before its first episode), the robots named in the files' metadata, with no signals.
    /// </summary>
    public static IReadOnlyList<RecordedRobot> Of(IEnumerable<EpisodeStart> starts, IEnumerable<string?> namedInFiles)
    {
        var described = Described(starts);
        return described.Count > 0 ? described : [.. namedInFiles.OfType<string>().Distinct().Select(name => new RecordedRobot(name, [], [], []))];
    }

    private static IReadOnlyList<RecordedRobot> Described(IEnumerable<EpisodeStart> starts) =>
    [
        // Task, operator and rate may change between a robot's episodes: only what names the robot and its vectors is
        // kept, and protobuf messages compare by value.
        .. starts
            .Select(start => new EpisodeStart { Robot = start.Robot, Observations = { start.Observations }, Actions = { start.Actions }, DiscreteActions = { start.DiscreteActions } })
            .Distinct()
            .Select(start => new RecordedRobot(start.Robot, [.. start.Observations], [.. start.Actions], [.. start.DiscreteActions])),
    ];
}
