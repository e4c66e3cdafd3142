using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Trainer.Data;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// A robomimic file's demos as the trainer's own logs give them, so that they train through the same path (the same
/// filters, checks, split and normalization): every frame a teleop step (robomimic's demos are an expert's) unless
/// the demo records each frame's source (<see cref="RobomimicMarkers"/>: <c>trainer log export</c>'s <c>source</c>,
/// or Sirius's <c>intv_labels</c>), the robot named after <c>env_name</c>, the rate <c>env_kwargs.control_freq</c>
/// (robosuite's 20 Hz when absent), each demo's episode id its N of <c>demo_N</c>, its outcome the one it records.
/// </summary>
public static class RobomimicEpisodes
{
    public static IReadOnlyList<TeleopEpisode> From(RobomimicFile file)
    {
        double rate = file.EnvArgs.ControlFreq ?? RobomimicEnvArgs.RobosuiteDefaultControlFreq;
        long frameNs = (long)Math.Round(1e9 / rate);
        int width = file.ObsKeys.Sum(k => k.Width);
        var episodes = new List<TeleopEpisode>();
        foreach (var demo in file.Demos)
        {
            var start = new EpisodeStart
            {
                EpisodeId = (ulong)demo.Index,
                Robot = file.EnvArgs.EnvName,
                ControlRateHz = rate,
            };
            start.Observations.AddRange(file.ObsKeys.SelectMany(k => k.SignalNames).Select(n => new SignalInfo { Name = n }));
            start.Actions.AddRange(file.ActionNames.Select(n => new SignalInfo { Name = n }));
            var steps = Enumerable.Range(0, demo.Frames).Select(frame =>
            {
                var step = new Step
                {
                    TimestampNs = (ulong)(frame * frameNs),
                    EpisodeId = start.EpisodeId,
                    Tick = (ulong)frame,
                    Source = demo.Sources.Length > 0 ? demo.Sources[frame] : ActionSource.Teleop,
                    Operator = demo.Operators.Length > 0 ? demo.Operators[frame] : "",
                };
                step.Observation.AddRange(demo.Observations.AsSpan(frame * width, width).ToArray());
                step.Action.AddRange(demo.Actions.AsSpan(frame * file.ActionWidth, file.ActionWidth).ToArray());
                return step;
            });
            var end = new EpisodeEnd { EpisodeId = start.EpisodeId, TimestampNs = (ulong)(demo.Frames * frameNs), Outcome = demo.Outcome ?? OutcomeOf(file, demo) };
            episodes.Add(TeleopEpisode.Imported(start, file.Path, steps, end));
        }
        return episodes;
    }

    /// <summary>The side of the split each episode's demo is on, by episode id; null for every episode of a file without masks.</summary>
    public static Func<ulong, SplitSide?> SplitOf(RobomimicFile file)
    {
        var sides = file.Demos.ToDictionary(d => (ulong)d.Index, d => d.Split);
        return id => sides.GetValueOrDefault(id);
    }

    /// <summary>
    /// Success when a robosuite demo's reward reaches 1, else unspecified. robomimic has no outcome field
    /// (docs/dataset-formats.md §4.3). Its conversion writes <c>rewards[t] = r(s')</c>, robosuite's reward, which
    /// with the default sparse reward is 1 exactly on a success state and below 1 elsewhere, also when shaped
    /// (<c>dataset_states_to_obs.py</c>, <c>extract_trajectory</c>). <c>dones</c> says nothing about success: with
    /// <c>--done_mode</c> 1, or 2 (the README's), the last frame is done whatever happened; only mode 0 marks
    /// success states alone, and a file does not say which mode wrote it. Other environments' rewards (a D4RL
    /// conversion's, say) have no such scale.
    /// </summary>
    private static EpisodeOutcome OutcomeOf(RobomimicFile file, RobomimicDemo demo) =>
        file.EnvArgs.Type == RobomimicEnvArgs.Robosuite && demo.Rewards.Any(r => r >= 1) ? EpisodeOutcome.Success : EpisodeOutcome.Unspecified;
}
