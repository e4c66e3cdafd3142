using Robotics.Controller.Recording;
using Robotics.Controller.Ticks;
using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.Recording;

/// <summary>
/// The recorder reads the loop's tick ring on its own thread and writes the log: what a stalled or failing disk
/// does to it, how it opens and closes episodes it joins late or whose records it lost, and that what it wrote
/// reaches the disk chunk by chunk.
/// </summary>
public sealed class TickRecorderTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly float[] _observation = new float[6];
    private readonly float[] _action = new float[2];

    public void Dispose() => _directory.Dispose();

    private static TickRing Ring(int capacity = 64) => new(capacity, new TickLayout(6, 2, 0));

    private void Step(TickRing ring, ulong episode, ulong tick) =>
        ring.Write(new TickHeader { Kind = TickKind.Step, TimestampNs = MonotonicClock.NowNs(), Episode = episode, EpisodeTick = tick, Source = ActionSource.Teleop },
            _observation, _action, []);

    private static void Start(TickRing ring, ulong episode) =>
        ring.WriteEpisodeRecord(new TickHeader { Kind = TickKind.EpisodeStart, TimestampNs = MonotonicClock.NowNs(), Episode = episode });

    private static void End(TickRing ring, EndReasons reasons, ulong episode, string reason) =>
        ring.WriteEpisodeRecord(new TickHeader
        {
            Kind = TickKind.EpisodeEnd,
            TimestampNs = MonotonicClock.NowNs(),
            Episode = episode,
            Outcome = EpisodeOutcome.Success,
            Reason = reasons.CodeOf(reason),
        });

    [Fact]
    public void A_stalled_disk_makes_the_recorder_lose_the_oldest_ticks_and_the_log_counts_them()
    {
        string path = _directory.File("stalled.mcap");
        var stream = new GatedStream(path);
        var options = new TeleopLogWriterOptions { ChunkSizeBytes = 1024, SyncEachChunk = false };
        var ring = Ring();
        var reasons = new EndReasons();
        var recorder = new TickRecorder(new TeleopLogWriter(stream, TestLogs.Robot(), options), options);
        stream.Hold();
        recorder.Start(ring, reasons, TestLogs.Robot(), start: 0);

        Start(ring, 1);
        for (ulong tick = 0; tick < 500; tick++)
        {
            Step(ring, 1, tick);
        }
        End(ring, reasons, 1, "done");
        stream.Open();
        recorder.Stop(ring.Published);

        // 502 records went into a 64-slot ring while the disk held the recorder: it read what it could, lost the rest, counted them.
        Assert.True(recorder.DroppedSteps > 300, $"a 64-slot ring held back by a stalled disk should lose most of 500 ticks; lost {recorder.DroppedSteps}");
        var log = TeleopLogReader.Read(path);
        var episode = Assert.Single(log.Episodes);
        // Every step was written or counted lost; the losses may include the episode's start record (which the recorder then opens at its first step).
        Assert.InRange(episode.Steps.Count + recorder.DroppedSteps, 500, 501);
        Assert.Equal(recorder.DroppedSteps, log.DroppedSteps);
        Assert.Equal("done", episode.End!.Reason);
        Assert.Equal((ulong)recorder.DroppedSteps, episode.End.DroppedSteps);
    }

    [Fact]
    public void An_episode_whose_end_was_lost_is_closed_where_the_next_one_begins_and_says_so()
    {
        string path = _directory.File("lost-end.mcap");
        var stream = new GatedStream(path);
        // Chunks close on a 1 ms age, so the idle recorder writes (and, held, blocks) as soon as it has read episode 1's start.
        var options = new TeleopLogWriterOptions { ChunkDuration = TimeSpan.FromMilliseconds(1), PollInterval = TimeSpan.FromMilliseconds(1), SyncEachChunk = false };
        var ring = Ring();
        var reasons = new EndReasons();
        var recorder = new TickRecorder(new TeleopLogWriter(stream, TestLogs.Robot(), options), options);
        stream.Hold();
        recorder.Start(ring, reasons, TestLogs.Robot(), start: 0);
        Start(ring, 1);
        Step(ring, 1, 0);
        SpinWait.SpinUntil(() => stream.WriterHeld, TimeSpan.FromSeconds(30));
        Assert.True(stream.WriterHeld, "the recorder never reached the held disk");

        for (ulong tick = 1; tick < 100; tick++)
        {
            Step(ring, 1, tick);
        }
        End(ring, reasons, 1, "target reached");
        Start(ring, 2);
        for (ulong tick = 0; tick < 100; tick++)
        {
            Step(ring, 2, tick);
        }
        stream.Open();
        recorder.Stop(ring.Published);

        var log = TeleopLogReader.Read(path);
        Assert.Equal([1UL, 2UL], log.Episodes.Select(e => e.Start.EpisodeId));
        Assert.Equal(TickRecorder.EndLost, log.Episodes[0].End!.Reason);
        Assert.Equal(EpisodeOutcome.Unspecified, log.Episodes[0].End!.Outcome);
        Assert.Equal(TickRecorder.RecordingStopped, log.Episodes[1].End!.Reason);
        Assert.True(log.DroppedSteps > 0);
    }

    [Fact]
    public void A_recorder_started_mid_episode_opens_it_at_its_first_step_and_closes_it_when_stopped()
    {
        string path = _directory.File("late.mcap");
        var ring = Ring(1024);
        var reasons = new EndReasons();
        Start(ring, 4);
        for (ulong tick = 0; tick < 10; tick++)
        {
            Step(ring, 4, tick);
        }
        using var recorder = TickRecorder.Create(path, TestLogs.Robot(), new TeleopLogWriterOptions { SyncEachChunk = false });
        recorder.Start(ring, reasons, TestLogs.Robot(), start: ring.Published);
        for (ulong tick = 10; tick < 25; tick++)
        {
            Step(ring, 4, tick);
        }
        recorder.Stop(ring.Published);

        var episode = Assert.Single(TeleopLogReader.Read(path).Episodes);
        Assert.Equal(4UL, episode.Start.EpisodeId);
        Assert.Equal(Enumerable.Range(10, 15).Select(t => (ulong)t), episode.Steps.Select(s => s.Tick));
        Assert.Equal(TickRecorder.RecordingStopped, episode.End!.Reason);
        Assert.Equal(0, recorder.DroppedSteps);
    }

    [Fact]
    public void A_failing_disk_stops_the_recorder_without_holding_the_loop_and_Stop_reports_it()
    {
        var stream = new GatedStream(_directory.File("full.mcap")) { FailAfterBytes = 16 * 1024 };
        var options = new TeleopLogWriterOptions { ChunkSizeBytes = 1024, SyncEachChunk = false };
        var ring = Ring(256);
        var recorder = new TickRecorder(new TeleopLogWriter(stream, TestLogs.Robot(), options), options);
        recorder.Start(ring, new EndReasons(), TestLogs.Robot(), start: 0);
        // An unpaced loop waits for its recorder: a dead one must let go of the loop.
        ring.Gate = recorder.Cursor;
        Start(ring, 1);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        ulong tick = 0;
        while (recorder.Fault is null && DateTime.UtcNow < deadline)
        {
            SpinWait.SpinUntil(() => !ring.GateIsFull, TimeSpan.FromSeconds(1));
            Step(ring, 1, tick++);
        }
        Assert.NotNull(recorder.Fault);
        SpinWait.SpinUntil(() => ring.Gate is null, TimeSpan.FromSeconds(10));
        Assert.Null(ring.Gate);
        Assert.False(ring.GateIsFull);

        var error = Assert.Throws<IOException>(() => recorder.Stop(ring.Published));
        Assert.Contains("No space left on device", error.Message);
    }

    [Fact]
    public void A_chunk_reaches_the_file_within_its_duration_even_when_the_loop_is_slow()
    {
        string path = _directory.File("slow.mcap");
        var options = new TeleopLogWriterOptions { ChunkDuration = TimeSpan.FromMilliseconds(100), SyncEachChunk = true };
        var ring = Ring();
        using var recorder = TickRecorder.Create(path, TestLogs.Robot(), options);
        recorder.Start(ring, new EndReasons(), TestLogs.Robot(), start: 0);
        Start(ring, 1);
        for (ulong tick = 0; tick < 10; tick++)
        {
            Step(ring, 1, tick);
        }

        // The recorder is still open: what a crash now would leave behind must already hold the ten steps.
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

        var error = Assert.Throws<IOException>(() => TickRecorder.Create(path, TestLogs.Robot()));

        Assert.Contains(path, error.Message);
        Assert.Equal("yesterday's demonstrations", File.ReadAllText(path));
    }
}
