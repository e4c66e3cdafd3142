using Robotics.Controller.Benchmarks;
using Robotics.Controller.Loop;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>The shipped SO-101 leader/follower config, its two arms emulated on two pseudo-terminal pairs.</summary>
[Collection(SerialLines.Name)]
public sealed class LeaderFollowerTests : IDisposable
{
    private static readonly byte[] Arm = [1, 2, 3, 4, 5, 6];
    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _followerLine = new();
    private readonly PseudoTerminalPair _leaderLine = new();
    private readonly FeetechEmulator _follower;
    private readonly FeetechEmulator _leader;

    public LeaderFollowerTests()
    {
        _follower = new FeetechEmulator(_followerLine.Device, Arm);
        _leader = new FeetechEmulator(_leaderLine.Device, Arm);
    }

    public void Dispose()
    {
        _follower.Dispose();
        _leader.Dispose();
        _followerLine.Dispose();
        _leaderLine.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_follower_copies_the_leader_and_the_leader_stays_limp()
    {
        // A hand holds the leader at 2048 + 100·id steps.
        foreach (byte id in Arm)
        {
            _leader.WriteUInt16(id, FeetechEmulator.PresentPosition, (ushort)(2048 + 100 * id));
        }
        using var robot = new ConfiguredRobot(RobotConfigLoader.Load(Sample()), DeviceRegistry.Default);
        Assert.True(robot.HasTeleop);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromSeconds(1) };

        using (var loop = new ControlLoop(robot, options, null, new TeleopSourceOperator(robot)))
        {
            loop.Start();
            var report = loop.WaitForExit();
            Assert.Equal(0, report.Faults);
        }

        // The follower's goals reached the leader's positions (its 6 rad/s rate limit needs under a second).
        Assert.All(Arm, id => Assert.InRange(_follower.ReadUInt16(id, FeetechEmulator.GoalPosition), 2048 + 100 * id - 1, 2048 + 100 * id + 1));
        Assert.All(Arm, id => Assert.Equal(0, _leader.ReadByte(id, FeetechEmulator.TorqueEnable)));
        Assert.All(Arm, id => Assert.Equal(0, _leader.ReadUInt16(id, FeetechEmulator.GoalPosition)));
    }

    [Fact]
    public void A_config_with_a_teleop_source_on_some_actions_only_is_refused_naming_the_first_without()
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Sample()), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        config["actions"]![1]!.AsObject().Remove("teleop");
        string path = _directory.File("partial.json");
        File.WriteAllText(path, config.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => RobotConfigLoader.Load(path));

        Assert.Equal($"{path}: actions[1].teleop: required once any action has one: a teleoperator drives every action", error.Message);
    }

    /// <summary>The sample as shipped, with its two ports pointed at the pseudo-terminals.</summary>
    private string Sample()
    {
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "Hardware", "Samples", "so101-leader-follower.json"))
            .Replace("/dev/ttyACM0", _followerLine.Driver, StringComparison.Ordinal)
            .Replace("/dev/ttyACM1", _leaderLine.Driver, StringComparison.Ordinal);
        string path = _directory.File("so101.json");
        File.WriteAllText(path, text);
        return path;
    }
}
