using Google.Protobuf;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;

namespace Robotics.Tests.Support;

/// <summary>
/// Teleop logs with whatever start records and steps a damaged or foreign recorder might write: the real MCAP
/// writer with the teleop log's real schemas and topics, but none of <see cref="TeleopLogWriter"/>'s checks
/// (which a hostile file never went through).
/// </summary>
public static class HostileTeleopLogs
{
    public static EpisodeStart Start(ulong episode, int observations = 3, int actions = 2, double rateHz = 50)
    {
        var start = new EpisodeStart { EpisodeId = episode, Robot = "sim:hostile", ControlRateHz = rateHz, TimestampNs = episode * 1_000_000_000 };
        start.Observations.AddRange(Enumerable.Range(0, observations).Select(i => new SignalInfo { Name = $"x{i}", Unit = "1" }));
        start.Actions.AddRange(Enumerable.Range(0, actions).Select(i => new SignalInfo { Name = $"a{i}", Unit = "1" }));
        return start;
    }

    /// <summary>An expert step with smooth, varied values of the given sizes.</summary>
    public static Step Step(ulong episode, ulong tick, int observations = 3, int actions = 2)
    {
        var step = new Step { EpisodeId = episode, Tick = tick, TimestampNs = episode * 1_000_000_000 + tick * 20_000_000, Source = ActionSource.Teleop };
        step.Observation.AddRange(Enumerable.Range(0, observations).Select(i => MathF.Sin(episode + tick * 0.3f + i)));
        step.Action.AddRange(Enumerable.Range(0, actions).Select(i => MathF.Cos(episode * 2 + tick * 0.2f + i)));
        return step;
    }

    /// <summary>
    /// Writes <paramref name="episodes"/> episodes of <paramref name="steps"/> steps, each start and step built by
    /// the given functions (defaults: <see cref="Start"/> and <see cref="Step"/> as they are).
    /// </summary>
    public static void Write(string path, int episodes, int steps, Func<ulong, EpisodeStart>? start = null, Func<ulong, ulong, Step>? step = null)
    {
        start ??= episode => Start(episode);
        step ??= (episode, tick) => Step(episode, tick);
        using var mcap = new McapWriter(File.Create(path), new McapWriterOptions { SyncEachChunk = false });
        var channels = TeleopTopics.All.ToDictionary(t => t.Descriptor.FullName,
            t => mcap.AddChannel(mcap.AddSchema(t.Descriptor.FullName, McapLayout.ProtobufEncoding, TeleopTopics.SchemaData), t.Topic, McapLayout.ProtobufEncoding));
        ulong time = 1;
        void Put(IMessage message) => mcap.WriteMessage(channels[message.Descriptor.FullName], time++, message);
        for (ulong episode = 1; episode <= (ulong)episodes; episode++)
        {
            Put(start(episode));
            for (ulong tick = 0; tick < (ulong)steps; tick++)
            {
                Put(step(episode, tick));
            }
            Put(new EpisodeEnd { EpisodeId = episode, Outcome = EpisodeOutcome.Success });
        }
    }
}
