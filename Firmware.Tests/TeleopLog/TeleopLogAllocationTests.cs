using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.TeleopLog;

[Collection(AllocationMeasurements.Name)]
public sealed class TeleopLogAllocationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_loop_side_of_the_recorder_allocates_nothing_over_100000_ticks()
    {
        var robot = TestLogs.Robot(observations: 64, actions: 8);
        using var writer = TeleopLogWriter.Create(_directory.File("alloc.mcap"), robot, new TeleopLogWriterOptions { SyncEachChunk = false });
        var observation = new float[64];
        var action = new float[8];
        var mean = new float[8];
        var logStd = new float[8];
        const string reason = "episode length";

        void Tick(ulong tick)
        {
            ulong episode = tick / 1000;
            if (tick % 1000 == 0)
            {
                writer.TryEndEpisode(episode - 1, MonotonicClock.NowNs(), EpisodeOutcome.Success, reason);
                writer.TryBeginEpisode(episode, MonotonicClock.NowNs());
            }
            observation[tick % 64] = tick;
            writer.TryAppend(new StepRecord
            {
                TimestampNs = MonotonicClock.NowNs(),
                EpisodeId = episode,
                Tick = tick % 1000,
                Observation = observation,
                Action = action,
                Source = ActionSource.Policy,
                PolicyMean = mean,
                PolicyLogStd = logStd,
                Flags = StepFlag.None,
            });
        }

        for (ulong tick = 0; tick < 5000; tick++)
        {
            Tick(tick);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong tick = 5000; tick < 105_000; tick++)
        {
            Tick(tick);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(writer.WrittenSteps + writer.DroppedSteps <= 105_000);
    }
}
