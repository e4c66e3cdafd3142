using Robotics.Emulators;
using Robotics.Hardware.Robots;

namespace Robotics.Tests.Support;

/// <summary>
/// A robot (a simulator) whose every written action is watched: the extremes each action entry reached and how many
/// values were not finite numbers, for tests that assert nothing out of limits ever reaches it.
/// </summary>
public sealed class WatchedRobot<T>(T robot) : IRobotHardware, IEpisodicTask where T : IRobotHardware, IEpisodicTask
{
    private readonly ValueExtremes _written = new(robot.Description.Actions.Count);

    public RobotDescription Description => robot.Description;

    public string TaskDescription => robot.TaskDescription;

    /// <summary>Each action entry's lowest and highest finite value written, and the count of values that were not finite.</summary>
    public (float[] Lowest, float[] Highest, int NonFinite) Written => _written.Snapshot();

    public void Start() => robot.Start();

    public ReadStatus Read(Span<float> observation, long nowNs, out int faultIndex) => robot.Read(observation, nowNs, out faultIndex);

    public void Write(ReadOnlySpan<float> action, long nowNs)
    {
        _written.Record(action);
        robot.Write(action, nowNs);
    }

    public void Halt() => robot.Halt();

    public void Resume() => robot.Resume();

    public void Stop() => robot.Stop();

    public void ResetEpisode() => robot.ResetEpisode();

    public EpisodeStatus Evaluate(out string reason) => robot.Evaluate(out reason);

    public void Dispose() => robot.Dispose();
}
