using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Robotics.Controller.Control;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Safety;
using Robotics.Protos;
using Robotics.Tests.Support;

namespace Robotics.Tests.Link;

/// <summary>
/// A gateway is not trusted: these tests play one that writes garbage into every structure of its segment, and one
/// that sends well-formed commands breaking the rules. The loop must never apply a command outside the rules, never
/// fault or crash for it, and count what it refused.
/// </summary>
public sealed class HostileGatewayTests
{
    private static LoopOptions Paced(bool rejectOutOfRange = false) => new()
    {
        RateHz = 200, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2), RejectOutOfRange = rejectOutOfRange,
        OverrideStaleAfter = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Garbage_in_every_structure_of_the_gateway_segment_reaches_no_actuator_and_is_counted()
    {
        var robot = new ScriptedRobot(rateHz: 200);
        await using var rig = LinkedLoop.Start(robot, Paced(), new ConstantOperator(1));
        var random = new Random(16);
        var gateway = rig.Segments.Gateway;
        long ticksBefore = rig.Loop.Statistics.Ticks;
        // A gateway scribbling over its whole segment (presence, command cell, request slots) for ~1000 ticks, its
        // requests' ids stamped with the generation its presence names, as a gateway that knows the protocol would: the
        // loop reads every garbage request rather than waiting for its generation.
        while (rig.Loop.Statistics.Ticks < ticksBefore + 1000)
        {
            random.NextBytes(gateway.Bytes);
            StampGeneration(rig.Segments);
            Thread.Sleep(1);
        }

        await RobotHarness.Eventually(() => rig.Link.RejectedRequests > 0, "the garbage requests to be refused and counted", seconds: 60);
        Assert.True(rig.Loop.IsRunning, "the loop stopped");
        Assert.Equal(FaultKind.None, rig.Loop.Status.Read().Fault);
        // Nobody was granted a lease: every tick was the local operator's (1 N) or the safe action; nothing else moved the robot.
        Assert.All(Written(robot), value => Assert.True(value is >= 0.5f and <= 1f, $"{value} reached the actuator"));
    }

    [Fact]
    public async Task Commands_breaking_the_rules_under_a_granted_lease_never_drive_and_are_counted()
    {
        var robot = new ScriptedRobot(rateHz: 200);
        await using var rig = LinkedLoop.Start(robot, Paced(), new ConstantOperator(1));
        using var alive = rig.BeatHeartbeat();
        long lease = rig.Plane.Leases.Take("tester");
        var commands = rig.CommandCell();

        long sequence = 0;
        foreach (var (commandLease, value) in new (long, float)[] { (lease, float.NaN), (lease, float.PositiveInfinity), (lease + 1, 1.5f), (lease, float.NegativeInfinity) })
        {
            long before = rig.Loop.Statistics.Ticks;
            commands.Publish(new LinkCommand { Lease = commandLease, Sequence = ++sequence, SentNs = MonotonicClock.NowNs() }, [value]);
            await RobotHarness.Eventually(() => rig.Loop.Statistics.Ticks > before + 20, "the loop to tick past the command");
        }
        Assert.Equal(4, rig.Loop.Overrides.RejectedCommands);

        // A valid command, and one out of range (clamped to the limit, as gRPC commands are), still drive.
        commands.Publish(new LinkCommand { Lease = lease, Sequence = ++sequence }, [1.25f]);
        await RobotHarness.Eventually(() => Written(robot).Contains(1.25f), "the valid command to reach the actuator");
        commands.Publish(new LinkCommand { Lease = lease, Sequence = ++sequence }, [1e30f]);
        await RobotHarness.Eventually(() => rig.Loop.Overrides.AppliedSequence == sequence, "the out-of-range command to be applied, clamped");
        await RobotHarness.Eventually(() => Written(robot)[^1] == 2f, "the clamped command to reach the limit");

        Assert.All(Written(robot), value => Assert.True(float.IsFinite(value) && value is >= -2 and <= 2 && value != 1.5f, $"{value} reached the actuator"));
        Assert.Equal(FaultKind.None, rig.Loop.Status.Read().Fault);
        Assert.Equal(4, rig.Loop.Overrides.RejectedCommands);
    }

    [Fact]
    public async Task With_out_of_range_refused_a_command_past_the_limits_is_counted_and_never_clamped_into_motion()
    {
        var robot = new ScriptedRobot(rateHz: 200);
        await using var rig = LinkedLoop.Start(robot, Paced(rejectOutOfRange: true), new ConstantOperator(1));
        using var alive = rig.BeatHeartbeat();
        long lease = rig.Plane.Leases.Take("tester");
        long before = rig.Loop.Statistics.Ticks;
        rig.CommandCell().Publish(new LinkCommand { Lease = lease, Sequence = 1 }, [3f]);
        await RobotHarness.Eventually(() => rig.Loop.Overrides.RejectedCommands == 1 && rig.Loop.Statistics.Ticks > before + 20, "the command to be refused");

        Assert.DoesNotContain(2f, Written(robot));
        Assert.Equal(-1, rig.Loop.Overrides.AppliedSequence);
    }

    [Fact]
    public async Task A_command_cell_held_mid_write_forever_is_no_command_the_override_goes_stale_and_the_fallback_drives()
    {
        var robot = new ScriptedRobot(rateHz: 200);
        await using var rig = LinkedLoop.Start(robot, Paced() with { OverrideStaleAfter = TimeSpan.FromMilliseconds(100) }, new ConstantOperator(1));
        using var alive = rig.BeatHeartbeat();
        long lease = rig.Plane.Leases.Take("tester");
        rig.CommandCell().Publish(new LinkCommand { Lease = lease, Sequence = 1 }, [1.25f]);
        await RobotHarness.Eventually(() => rig.Loop.Overrides.AppliedSequence == 1, "the command to be applied");

        // The cell's sequence made odd and left so: a writer that died, or lies, mid-write.
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(rig.Segments.Gateway.Bytes.Slice((int)LinkGeometry.Command, 8))[0] |= 1;
        await RobotHarness.Eventually(() => rig.Loop.Status.Read().OverrideStale, "the override to go stale");
        int written = Written(robot).Count;
        await RobotHarness.Eventually(() => Written(robot).Count > written + 10, "more ticks");
        Assert.Equal(0.5f, Written(robot)[^1]);
        Assert.True(rig.Loop.Overrides.Held, "the lease is still held: only its commands stopped");
    }

    [Fact]
    public async Task A_gateway_that_cuts_its_file_short_does_not_bring_the_loop_down_its_operator_goes_stale()
    {
        var robot = new ScriptedRobot(rateHz: 200);
        await using var rig = LinkedLoop.Start(robot, Paced() with { OverrideStaleAfter = TimeSpan.FromMilliseconds(100) }, new ConstantOperator(1));
        var alive = rig.BeatHeartbeat();
        long lease = rig.Plane.Leases.Take("tester");
        rig.CommandCell().Publish(new LinkCommand { Lease = lease, Sequence = 1 }, [1.25f]);
        await RobotHarness.Eventually(() => rig.Loop.Overrides.AppliedSequence == 1, "the command to be applied");

        // The test stops touching the gateway's mapping (it would fault itself now), then truncates the file, as a
        // gateway may: it has to be able to write it.
        alive.Dispose();
        using (var file = new FileStream(LinkSegments.GatewayFile(rig.Segments.Path), FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            file.SetLength(0);
        }
        long after = rig.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => rig.Loop.Statistics.Ticks > after + 100, "the loop to tick on", seconds: 60);

        Assert.True(rig.Loop.IsRunning);
        Assert.Equal(FaultKind.None, rig.Loop.Status.Read().Fault);
        // No command can be read now: the last one goes stale, the lease goes with the silent gateway, the local operator drives.
        await RobotHarness.Eventually(() => !rig.Loop.Overrides.Held && Written(robot)[^1] == 1f, "the loop to go back to its own operator", seconds: 60);
    }

    [Fact]
    public async Task Requests_the_loop_cannot_carry_out_are_refused_each_and_leave_every_slot_free_for_the_emergency_stop()
    {
        await using var harness = await RobotHarness.StartAsync(new ScriptedRobot(), Paced(), @operator: new ConstantOperator(1));
        using var channel = harness.Channel();
        var control = new Protos.Control.Control.ControlClient(channel);
        // More than the link's request slots: a request that failed must still be answered, or its slot stays taken.
        for (int i = 0; i < LinkGeometry.DefaultRequestSlots + 2; i++)
        {
            var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => control.StartRecordingAsync(new Protos.Control.StartRecordingRequest { Path = "bad\0path.mcap" }).ResponseAsync);
            Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);
        }

        var stopped = await control.EmergencyStopAsync(new Protos.Control.EmergencyStopRequest { Reason = "test" });
        Assert.True(stopped.EmergencyStopped);
    }

    /// <summary>The upper half of each request slot's id (little-endian: its bytes 4–7) set to the presence's generation.</summary>
    private static void StampGeneration(LinkSegments segments)
    {
        int generation = (int)segments.Presence.Generation;
        var geometry = segments.Geometry;
        for (int slot = 0; slot < geometry.RequestSlots; slot++)
        {
            int offset = checked((int)(geometry.Requests + (long)slot * Unsafe.SizeOf<LinkRequest>()));
            BinaryPrimitives.WriteInt32LittleEndian(segments.Gateway.Bytes[(offset + 4)..], generation);
        }
    }

    private static List<float> Written(ScriptedRobot robot)
    {
        lock (robot.Written)
        {
            return [.. robot.Written];
        }
    }
}
