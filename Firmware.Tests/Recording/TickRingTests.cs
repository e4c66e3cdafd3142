using Robotics.Controller.Recording;
using Robotics.Controller.Safety;
using Robotics.Controller.Ticks;
using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.Recording;

/// <summary>The tick ring on its own: one writer, readers at their own cursors with their own losses.</summary>
public sealed class TickRingTests
{
    private static readonly TickLayout Layout = new(Observations: 3, Actions: 2, HeadOutputs: 4);

    private static void Write(TickRing ring, long tick, float value, HeadKind head = HeadKind.Gaussian) =>
        ring.Write(new TickHeader { Kind = TickKind.Step, LoopTick = tick, Episode = 1, EpisodeTick = (ulong)tick, Source = ActionSource.Policy, Fault = FaultKind.None, Head = head },
            [value, value + 1, value + 2], [-value, -value - 1], head == HeadKind.None ? [] : [value * 10, value * 20, value * 30, value * 40]);

    [Fact]
    public void Each_reader_gets_every_record_once_in_order_with_its_vectors_and_header()
    {
        var ring = new TickRing(64, Layout);
        var first = new TickCursor(ring, 0);
        var second = new TickCursor(ring, 0);
        for (int tick = 0; tick < 10; tick++)
        {
            Write(ring, tick, tick);
        }

        foreach (var cursor in new[] { first, second })
        {
            for (int tick = 0; tick < 10; tick++)
            {
                Assert.True(cursor.TryRead());
                Assert.Equal(tick, cursor.Header.LoopTick);
                Assert.Equal(HeadKind.Gaussian, cursor.Header.Head);
                Assert.Equal([tick, tick + 1f, tick + 2f], cursor.Observation.ToArray());
                Assert.Equal([-tick, -tick - 1f], cursor.Action.ToArray());
                Assert.Equal([tick * 10f, tick * 20f, tick * 30f, tick * 40f], cursor.HeadOutputs.ToArray());
            }
            Assert.False(cursor.TryRead());
            Assert.Equal(0, cursor.Lost);
        }
    }

    [Fact]
    public void A_reader_that_falls_a_ring_behind_skips_to_the_oldest_record_held_and_counts_what_it_lost()
    {
        var ring = new TickRing(64, Layout);
        var slow = new TickCursor(ring, 0);
        for (int tick = 0; tick < 200; tick++)
        {
            Write(ring, tick, tick);
        }

        Assert.True(slow.TryRead());

        // It lands an eighth of the ring past the oldest record still held, so the writer can go on writing while it catches up.
        long oldest = 200 - 64 + 64 / 8;
        Assert.Equal(oldest, slow.Header.LoopTick);
        Assert.Equal(oldest, slow.Lost);
        int read = 1;
        while (slow.TryRead())
        {
            read++;
        }
        Assert.Equal(200, read + slow.Lost);
    }

    [Fact]
    public void A_gate_reader_holds_the_writer_only_while_it_has_a_ring_of_unread_records_and_until_it_lets_go()
    {
        var ring = new TickRing(64, Layout);
        var recorder = new TickCursor(ring, 0);
        ring.Gate = recorder;
        for (int tick = 0; tick < 63; tick++)
        {
            Write(ring, tick, tick);
        }
        Assert.False(ring.GateIsFull);
        Write(ring, 63, 63);
        Assert.True(ring.GateIsFull);
        Assert.True(recorder.TryRead());
        Assert.False(ring.GateIsFull);

        ring.ReleaseGate(new TickCursor(ring, 0));
        Assert.Same(recorder, ring.Gate);
        ring.ReleaseGate(recorder);
        Assert.Null(ring.Gate);
    }

    [Fact]
    public void A_record_that_does_not_fit_the_layout_is_refused_with_its_sizes()
    {
        var ring = new TickRing(64, Layout);

        var error = Assert.Throws<ArgumentException>(() => ring.Write(new TickHeader { Kind = TickKind.Step }, new float[4], new float[2], []));

        Assert.Contains("got 4 observations", error.Message);
        Assert.Contains("the ring holds 3", error.Message);
    }

    [Fact]
    public void The_header_holds_no_references_so_the_ring_can_live_in_shared_memory()
    {
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TickHeader>());
        Assert.Equal(80, System.Runtime.CompilerServices.Unsafe.SizeOf<TickHeader>());
    }
}

/// <summary>The loop's side of the recorder: a tick into the ring, with the recorder draining it, allocates nothing.</summary>
[Collection(AllocationMeasurements.Name)]
public sealed class TickRingAllocationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Writing_ticks_and_episode_records_allocates_nothing_over_100000_ticks_while_a_recorder_drains_them()
    {
        var robot = TestLogs.Robot(observations: 64, actions: 8);
        var ring = new TickRing(16384, new TickLayout(64, 8, 16));
        var reasons = new EndReasons();
        ushort reason = reasons.CodeOf("episode length");
        using var recorder = TickRecorder.Create(_directory.File("alloc.mcap"), robot, new TeleopLogWriterOptions { SyncEachChunk = false });
        recorder.Start(ring, reasons, robot, start: 0);
        var observation = new float[64];
        var action = new float[8];
        var outputs = new float[16];

        void Tick(long tick)
        {
            ulong episode = (ulong)(tick / 1000) + 1;
            if (tick % 1000 == 0)
            {
                ring.WriteEpisodeRecord(new TickHeader { Kind = TickKind.EpisodeEnd, TimestampNs = MonotonicClock.NowNs(), Episode = episode - 1, Outcome = EpisodeOutcome.Success, Reason = reason });
                ring.WriteEpisodeRecord(new TickHeader { Kind = TickKind.EpisodeStart, TimestampNs = MonotonicClock.NowNs(), Episode = episode });
            }
            observation[tick % 64] = tick;
            ring.Write(new TickHeader { Kind = TickKind.Step, TimestampNs = MonotonicClock.NowNs(), LoopTick = tick, Episode = episode, EpisodeTick = (ulong)(tick % 1000), Head = HeadKind.Gaussian },
                observation, action, outputs);
        }

        long next = 0;
        long Window(long ticks)
        {
            long mark = ThreadAllocations.StartWindow();
            for (long end = next + ticks; next < end; next++)
            {
                Tick(next);
            }
            return ThreadAllocations.Since(mark);
        }

        Window(5000);
        // Three windows of 100,000 ticks, each of which must be 0 B: an allocation on the path would show in all of
        // them (the counter is this thread's own: AllocationMeasurements says more).
        long[] windows = [Window(100_000), Window(100_000), Window(100_000)];

        Assert.Equal([0L, 0L, 0L], windows);
        recorder.Stop(ring.Published);
        // Every step was either written or counted as lost (losses also count the episode records among them).
        long records = next + 2 * (next / 1000);
        Assert.InRange(recorder.WrittenSteps + recorder.DroppedSteps, next, records);
    }
}
