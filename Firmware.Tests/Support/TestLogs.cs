using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;

namespace Robotics.Tests.Support;

/// <summary>Writes small, deterministic teleop logs through the real writer.</summary>
public static class TestLogs
{
    public static EpisodeInfo Robot(int observations = 6, int actions = 2) => new(
        "sim:test",
        [.. Enumerable.Range(0, observations).Select(i => new SignalSpec($"q{i}", "rad"))],
        [.. Enumerable.Range(0, actions).Select(i => new SignalSpec($"tau{i}", "N*m"))],
        controlRateHz: 100,
        task: "reach",
        @operator: "scripted expert");

    /// <summary>The observation value a test log holds for entry <paramref name="index"/> of a tick.</summary>
    public static float Observation(ulong episode, ulong tick, int index) => episode * 1000f + tick + index / 10f;

    /// <summary>The action value a test log holds for entry <paramref name="index"/> of a tick.</summary>
    public static float Action(ulong episode, ulong tick, int index) => -(episode * 1000f + tick) - index / 10f;

    /// <summary>
    /// Records <paramref name="episodes"/> episodes of <paramref name="stepsPerEpisode"/> steps; odd episodes
    /// fail, even ones succeed; steps alternate teleop and override sources.
    /// </summary>
    public static void Write(string path, int episodes, int stepsPerEpisode, TeleopLogWriterOptions? options = null, EpisodeInfo? robot = null)
    {
        robot ??= Robot();
        using var writer = TeleopLogWriter.Create(path, robot, options ?? new TeleopLogWriterOptions { SyncEachChunk = false });
        WriteEpisodes(writer, episodes, stepsPerEpisode);
    }

    /// <summary>Writes the episodes <see cref="Write"/> writes into an open log, shaped as its robot is.</summary>
    public static void WriteEpisodes(TeleopLogWriter writer, int episodes, int stepsPerEpisode)
    {
        var robot = writer.Robot;
        var observation = new float[robot.Observations.Count];
        var action = new float[robot.Actions.Count];
        long time = MonotonicClock.NowNs();
        for (ulong episode = 1; episode <= (ulong)episodes; episode++)
        {
            writer.BeginEpisode(episode, time);
            for (ulong tick = 0; tick < (ulong)stepsPerEpisode; tick++)
            {
                for (int i = 0; i < observation.Length; i++)
                {
                    observation[i] = Observation(episode, tick, i);
                }
                for (int i = 0; i < action.Length; i++)
                {
                    action[i] = Action(episode, tick, i);
                }
                var step = new StepRecord
                {
                    TimestampNs = time,
                    EpisodeId = episode,
                    Tick = tick,
                    Observation = observation,
                    Action = action,
                    Source = tick % 2 == 0 ? ActionSource.Teleop : ActionSource.Override,
                    Flags = tick % 2 == 0 ? StepFlag.None : StepFlag.Intervention,
                };
                writer.Append(step);
                time += 10_000_000;
            }
            var outcome = episode % 2 == 0 ? EpisodeOutcome.Success : EpisodeOutcome.Failure;
            writer.EndEpisode(episode, time, outcome, outcome == EpisodeOutcome.Success ? "target reached" : "timeout");
        }
    }

    /// <summary>Writes a log and returns its bytes.</summary>
    public static byte[] Bytes(TempDirectory directory, int episodes, int stepsPerEpisode, McapCompression compression, int chunkSizeBytes = 4096)
    {
        string path = directory.File($"source-{Guid.NewGuid():N}.mcap");
        Write(path, episodes, stepsPerEpisode, new TeleopLogWriterOptions { Compression = compression, ChunkSizeBytes = chunkSizeBytes, SyncEachChunk = false });
        return File.ReadAllBytes(path);
    }
}
