using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Logs;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// A LeRobot dataset's episodes as the trainer's own logs give them, so that it trains through the same path (the
/// same filters, checks, split and normalization). In a dataset with an <c>intervention</c> column (LeRobot's DAgger
/// rollouts), the frames an operator drove are the expert's (override) and the others the policy's, which BC leaves
/// out; without one, every frame was teleoperated. A dataset <c>trainer log export</c> wrote says each frame's exact
/// source in its <c>source</c> column, which then decides instead. LeRobot records no outcome: every episode's is unspecified.
/// </summary>
public static class LeRobotEpisodes
{
    /// <summary>The robot's name where the dataset gives no <c>robot_type</c>.</summary>
    public const string UnnamedRobot = "lerobot";

    public static IReadOnlyList<TeleopEpisode> From(LeRobotDataset dataset, string root)
    {
        var info = dataset.Info;
        var state = dataset.StateFeature;
        var action = dataset.ActionFeature;
        bool interventions = info.Feature(LeRobotDataset.Intervention) is not null;
        long frameNs = (long)Math.Round(1e9 / info.Fps);
        var episodes = new List<TeleopEpisode>();
        foreach (var episode in dataset.Episodes)
        {
            var start = new EpisodeStart
            {
                EpisodeId = (ulong)episode.Index,
                Robot = info.RobotType ?? UnnamedRobot,
                ControlRateHz = info.Fps,
            };
            start.Observations.AddRange(state.Names.Select(n => new SignalInfo { Name = n }));
            start.Actions.AddRange(action.Names.Select(n => new SignalInfo { Name = n }));
            var steps = Enumerable.Range(0, episode.Frames).Select(frame =>
            {
                var step = new Step
                {
                    TimestampNs = (ulong)(frame * frameNs),
                    EpisodeId = start.EpisodeId,
                    Tick = (ulong)frame,
                    Source = episode.Sources.Length > 0 ? SourceOf(episode, frame)
                        : !interventions ? ActionSource.Teleop : episode.Interventions[frame] ? ActionSource.Override : ActionSource.Policy,
                };
                step.Observation.AddRange(episode.States.AsSpan(frame * state.Width, state.Width).ToArray());
                step.Action.AddRange(episode.Actions.AsSpan(frame * action.Width, action.Width).ToArray());
                return step;
            });
            var end = new EpisodeEnd { EpisodeId = start.EpisodeId, TimestampNs = (ulong)(episode.Frames * frameNs), Outcome = EpisodeOutcome.Unspecified };
            episodes.Add(TeleopEpisode.Imported(start, root, steps, end));
        }
        return episodes;
    }

    private static ActionSource SourceOf(LeRobotEpisode episode, int frame) =>
        LogSummary.SourceOf(episode.Sources[frame]) ?? throw new InvalidDataException(
            $"{episode.Source}: episode {episode.Index}, frame {frame}: source '{episode.Sources[frame]}' is not one of teleop, policy, override, safety, unspecified");
}
