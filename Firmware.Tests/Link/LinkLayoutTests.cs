using System.Diagnostics;
using Robotics.Controller.Cli;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Hardware.Simulation;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Link;

/// <summary>
/// A gateway checks what it attaches to before it reads anything else: a link of another version, of another robot,
/// or not a link at all is refused with one clear error. And the segments let in only whom they should.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LinkLayoutTests : IDisposable
{
    private static readonly LoopOptions Options = new() { RateHz = 50 };
    private readonly ReachSimulation _reach = new(seed: 1);
    private readonly LinkSegments _segments;

    public LinkLayoutTests()
    {
        _segments = LoopLink.CreateSegments(LinkPaths.Unique(), _reach.Description, Options, policy: null);
        _segments.MarkReady();
    }

    public void Dispose()
    {
        _segments.Dispose();
        _reach.Dispose();
    }

    [Fact]
    public void A_link_of_another_version_is_refused_at_attach_naming_both_versions()
    {
        // LinkHeader.Version, after the 8-byte magic.
        BitConverter.TryWriteBytes(_segments.Loop.Bytes.Slice(8, 4), LinkGeometry.Version + 1);

        var refused = Assert.Throws<LinkMismatchException>(() => GatewayLink.Attach(_segments.Path));
        Assert.Equal($"{LinkSegments.LoopFile(_segments.Path)} was made by a controller of link version {LinkGeometry.Version + 1}; this gateway speaks version {LinkGeometry.Version}: run the gateway of the same controller build as the loop", refused.Message);
    }

    [Fact]
    public void A_link_of_another_robot_is_refused_at_attach()
    {
        using var cartPole = new CartPoleSimulation(seed: 1);
        var refused = Assert.Throws<LinkMismatchException>(() => GatewayLink.Attach(_segments.Path, RobotFingerprint.Of(cartPole.Description)));
        Assert.Contains("is the link of another robot", refused.Message, StringComparison.Ordinal);

        using var same = GatewayLink.Attach(_segments.Path, RobotFingerprint.Of(_reach.Description));
        Assert.Equal("sim:reach", same.Descriptor.Robot);
    }

    [Fact]
    public void The_gateway_command_refuses_another_robots_link_in_one_line()
    {
        var run = CliRun.Of(ControllerCli.Build(), "gateway", "--link", _segments.Path, "--robot", "sim:cartpole", "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: {LinkSegments.LoopFile(_segments.Path)} is the link of another robot: start the gateway for the robot the loop runs", run.Stderr.Trim());
    }

    [Theory]
    [InlineData(0, "is empty: not a link segment")]
    [InlineData(100, "is not a control loop's link segment")]
    public void A_file_that_is_not_a_link_is_refused(int bytes, string problem)
    {
        string path = LinkPaths.Unique();
        File.WriteAllBytes(LinkSegments.LoopFile(path), new byte[bytes]);
        try
        {
            var refused = Assert.Throws<LinkMismatchException>(() => GatewayLink.Attach(path));
            Assert.Equal($"{LinkSegments.LoopFile(path)} {problem}", refused.Message);
        }
        finally
        {
            File.Delete(LinkSegments.LoopFile(path));
        }
    }

    [Fact]
    public void A_truncated_link_is_refused()
    {
        string path = LinkPaths.Unique();
        File.WriteAllBytes(LinkSegments.LoopFile(path), _segments.Loop.Bytes[..4096].ToArray());
        try
        {
            var refused = Assert.Throws<LinkMismatchException>(() => GatewayLink.Attach(path));
            Assert.Contains("does not describe its contents", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(LinkSegments.LoopFile(path));
        }
    }

    [Fact]
    public void By_default_only_the_loops_user_may_open_either_segment()
    {
        Assert.Equal(LinkAccess.OwnerOnly, File.GetUnixFileMode(LinkSegments.LoopFile(_segments.Path)));
        Assert.Equal(LinkAccess.OwnerOnly, File.GetUnixFileMode(LinkSegments.GatewayFile(_segments.Path)));
    }

    [Fact]
    public void With_a_group_its_members_read_the_loops_segment_and_write_the_gateways_and_nobody_else_can()
    {
        string group = GroupOf(Environment.ProcessId);
        using var segments = LoopLink.CreateSegments(LinkPaths.Unique(), _reach.Description, Options, null, LinkAccess.GroupId(group));

        var readOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        Assert.Equal(readOnly, File.GetUnixFileMode(LinkSegments.LoopFile(segments.Path)));
        Assert.Equal(readOnly | UnixFileMode.GroupWrite, File.GetUnixFileMode(LinkSegments.GatewayFile(segments.Path)));
        Assert.Equal(group, Stat("%G", LinkSegments.LoopFile(segments.Path)));
        Assert.Equal(group, Stat("%G", LinkSegments.GatewayFile(segments.Path)));
    }

    [Fact]
    public void An_unknown_group_is_refused_naming_it()
    {
        var refused = Assert.Throws<ArgumentException>(() => LinkAccess.GroupId("no-such-group-here"));
        Assert.Equal("--link-group: no group 'no-such-group-here' on this system (create it with `groupadd no-such-group-here` and add the gateway's user to it)", refused.Message);
    }

    [Fact]
    public void A_link_left_behind_by_a_loop_that_is_gone_is_removed_when_the_next_link_is_made()
    {
        string leftover = LinkPaths.Unique();
        var bytes = _segments.Loop.Bytes[..4096].ToArray();
        BitConverter.TryWriteBytes(bytes.AsSpan((int)System.Runtime.InteropServices.Marshal.OffsetOf<LinkHeader>(nameof(LinkHeader.LoopPid)), 4), ExitedProcessId());
        File.WriteAllBytes(LinkSegments.LoopFile(leftover), bytes);
        File.WriteAllBytes(LinkSegments.GatewayFile(leftover), [1, 2, 3]);

        using var next = LoopLink.CreateSegments(LinkPaths.Unique(), _reach.Description, Options, null);

        Assert.False(File.Exists(LinkSegments.LoopFile(leftover)), "the dead loop's link is still there");
        Assert.False(File.Exists(LinkSegments.GatewayFile(leftover)));
        Assert.True(File.Exists(LinkSegments.LoopFile(_segments.Path)), "a live loop's link was removed");
    }

    /// <summary>The id of a process that has run and been reaped.</summary>
    private static int ExitedProcessId()
    {
        using var done = Process.Start("true")!;
        done.WaitForExit();
        return done.Id;
    }

    private static string GroupOf(int pid) => Stat("%G", $"/proc/{pid}");

    private static string Stat(string format, string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        string output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return output;
    }
}
