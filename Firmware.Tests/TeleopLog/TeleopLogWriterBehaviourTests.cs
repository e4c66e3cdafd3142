using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.TeleopLog;

public sealed class TeleopLogWriterBehaviourTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static StepRecord Step(ulong episode, ulong tick, float[] observation, float[] action) => new()
    {
        TimestampNs = MonotonicClock.NowNs(),
        EpisodeId = episode,
        Tick = tick,
        Observation = observation,
        Action = action,
        Source = ActionSource.Teleop,
    };

    [Fact]
    public void A_stalled_disk_fills_the_ring_and_every_refused_step_is_counted_in_the_file()
    {
        string path = _directory.File("stalled.mcap");
        var stream = new GatedStream(path);
        var options = new TeleopLogWriterOptions { RingCapacity = 64, ChunkSizeBytes = 1024, SyncEachChunk = false };
        var writer = new TeleopLogWriter(stream, TestLogs.Robot(), options);
        var observation = new float[6];
        var action = new float[2];

        stream.Hold();
        Assert.True(writer.TryBeginEpisode(1, MonotonicClock.NowNs()));
        int accepted = 0;
        for (ulong tick = 0; tick < 500; tick++)
        {
            accepted += writer.TryAppend(Step(1, tick, observation, action)) ? 1 : 0;
        }
        Assert.True(writer.TryEndEpisode(1, MonotonicClock.NowNs(), EpisodeOutcome.Success, "done"));
        stream.Open();
        writer.Dispose();

        Assert.Equal(500 - accepted, writer.DroppedSteps);
        Assert.True(writer.DroppedSteps > 300, $"a 64-slot ring held back by a stalled disk should refuse most of 500 steps; refused {writer.DroppedSteps}");
        var log = TeleopLogReader.Read(path);
        var episode = Assert.Single(log.Episodes);
        Assert.Equal(accepted, episode.Steps.Count);
        Assert.Equal(writer.DroppedSteps, log.DroppedSteps);
        Assert.Equal((ulong)writer.DroppedSteps, episode.End!.DroppedSteps);
    }

    [Fact]
    public void A_failing_disk_stops_the_recorder_without_blocking_the_loop_and_Dispose_reports_it()
    {
        var stream = new GatedStream(_directory.File("full.mcap")) { FailAfterBytes = 16 * 1024 };
        var writer = new TeleopLogWriter(stream, TestLogs.Robot(), new TeleopLogWriterOptions { RingCapacity = 256, ChunkSizeBytes = 1024, SyncEachChunk = false });
        var observation = new float[6];
        var action = new float[2];
        writer.TryBeginEpisode(1, MonotonicClock.NowNs());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        ulong tick = 0;
        while (writer.Fault is null && DateTime.UtcNow < deadline)
        {
            writer.TryAppend(Step(1, tick++, observation, action));
        }
        Assert.NotNull(writer.Fault);
        for (int i = 0; i < 1000; i++)
        {
            writer.TryAppend(Step(1, tick++, observation, action));
        }

        Assert.True(writer.DroppedSteps > 0);
        var error = Assert.Throws<IOException>(writer.Dispose);
        Assert.Contains("No space left on device", error.Message);
    }

    [Fact]
    public void A_chunk_reaches_the_file_within_its_duration_even_when_the_loop_is_slow()
    {
        string path = _directory.File("slow.mcap");
        var options = new TeleopLogWriterOptions { ChunkDuration = TimeSpan.FromMilliseconds(100), SyncEachChunk = true };
        using var writer = TeleopLogWriter.Create(path, TestLogs.Robot(), options);
        writer.TryBeginEpisode(1, MonotonicClock.NowNs());
        for (ulong tick = 0; tick < 10; tick++)
        {
            Assert.True(writer.TryAppend(Step(1, tick, new float[6], new float[2])));
        }

        // The writer is still open: what a crash now would leave behind must already hold the ten steps.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        int onDisk = 0;
        while (onDisk < 10 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            var partial = TeleopLogReader.Read(path, new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation });
            onDisk = (int)partial.StepCount;
            Assert.False(partial.WasClosed);
        }
        Assert.Equal(10, onDisk);
    }

    [Fact]
    public void Recording_into_an_existing_file_is_refused_rather_than_overwriting_it()
    {
        string path = _directory.File("existing.mcap");
        File.WriteAllText(path, "yesterday's demonstrations");

        var error = Assert.Throws<IOException>(() => TeleopLogWriter.Create(path, TestLogs.Robot()));

        Assert.Contains(path, error.Message);
        Assert.Equal("yesterday's demonstrations", File.ReadAllText(path));
    }
}
