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
        // Three windows of 100,000 ticks, the least kept: an allocation on the path shows in every window, while
        // the ~8 KB a background collection of another thread's can count against this one shows in one at most
        // (AllocationMeasurements says more).
        var windows = new long[3];
        ulong next = 5000;
        for (int w = 0; w < windows.Length; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (ulong end = next + 100_000; next < end; next++)
            {
                Tick(next);
            }
            windows[w] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, windows.Min());
        Assert.True(writer.WrittenSteps + writer.DroppedSteps <= (long)next);
    }
}
