using System.Text.Json.Nodes;

namespace Robotics.Trainer.Datasets.Export;

/// <summary>One episode's frames as the data file's columns hold them (vectors flat, frame after frame).</summary>
internal sealed record LeRobotRows(
    float[] State, float[] Action, string[] Source, bool[] Intervention, long[] Tick, long[] Flags, string[] Operator,
    float[] Timestamp, long[] FrameIndex, long[] EpisodeIndex, long[] Index, long[] TaskIndex);

/// <summary>Every frame written so far, kept per numeric feature for <c>meta/stats.json</c>, which covers the whole dataset.</summary>
internal sealed class LeRobotFrames(int observations, int actions)
{
    private readonly List<double> _state = [];
    private readonly List<double> _action = [];
    private readonly List<double> _intervention = [];
    private readonly List<double> _tick = [];
    private readonly List<double> _flags = [];
    private readonly List<double> _timestamp = [];
    private readonly List<double> _frameIndex = [];
    private readonly List<double> _episodeIndex = [];
    private readonly List<double> _index = [];
    private readonly List<double> _taskIndex = [];

    public long Count { get; private set; }

    public void Add(LeRobotRows rows)
    {
        _state.AddRange(rows.State.Select(v => (double)v));
        _action.AddRange(rows.Action.Select(v => (double)v));
        _intervention.AddRange(rows.Intervention.Select(v => v ? 1.0 : 0.0));
        _tick.AddRange(rows.Tick.Select(v => (double)v));
        _flags.AddRange(rows.Flags.Select(v => (double)v));
        _timestamp.AddRange(rows.Timestamp.Select(v => (double)v));
        _frameIndex.AddRange(rows.FrameIndex.Select(v => (double)v));
        _episodeIndex.AddRange(rows.EpisodeIndex.Select(v => (double)v));
        _index.AddRange(rows.Index.Select(v => (double)v));
        _taskIndex.AddRange(rows.TaskIndex.Select(v => (double)v));
        Count += rows.FrameIndex.Length;
    }

    /// <summary>Per feature, in the data's column order; the string features (source, operator) have none, as in LeRobot.</summary>
    public JsonObject Stats() => new()
    {
        [LeRobotDataset.Action] = FeatureStats.Of(_action, actions),
        [LeRobotDataset.State] = FeatureStats.Of(_state, observations),
        [LeRobotDataset.Intervention] = FeatureStats.Of(_intervention, 1),
        [LeRobotExport.Tick] = FeatureStats.Of(_tick, 1),
        [LeRobotExport.Flags] = FeatureStats.Of(_flags, 1),
        ["timestamp"] = FeatureStats.Of(_timestamp, 1),
        ["frame_index"] = FeatureStats.Of(_frameIndex, 1),
        ["episode_index"] = FeatureStats.Of(_episodeIndex, 1),
        ["index"] = FeatureStats.Of(_index, 1),
        ["task_index"] = FeatureStats.Of(_taskIndex, 1),
    };
}
