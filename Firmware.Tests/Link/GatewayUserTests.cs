using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Protos.Control;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Link;

/// <summary>
/// The gateway as a user of its own (nobody, here): with the link given to its group it attaches and serves; without,
/// it cannot open the link at all. The loop's user and the gateway's are the only two who can.
/// </summary>
public sealed class GatewayUserTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_gateway_running_as_another_user_serves_a_link_given_to_its_group_and_cannot_open_one_that_is_not()
    {
        Assert.True(Environment.UserName == "root", "this test runs the gateway as the user nobody (setpriv, util-linux): run the suite as root");
        Assert.True(File.Exists("/usr/bin/setpriv"), "setpriv is missing: apt-get install util-linux");
        string tokenFile = _directory.File("robot.token");
        File.WriteAllText(tokenFile, RobotHarness.Token);
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2) };

        await using (var shared = LinkedLoop.Start(new ScriptedRobot(), options, new ConstantOperator(1), groupId: LinkAccess.GroupId("nogroup")))
        {
            using var gateway = AsNobody(shared.Segments.Path, tokenFile);
            await gateway.WaitForLineAsync(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal), Waits.Patience);
            string url = gateway.StdoutLines.First(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal)).Split(' ')[3];
            using var channel = GrpcChannel.ForAddress(url);
            var status = await new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest(), new Metadata { { "authorization", "Bearer " + RobotHarness.Token } });
            Assert.Equal("scripted", status.Robot);
            gateway.Signal("TERM");
            await gateway.WaitForExitAsync(Waits.Patience);
        }

        await using (var own = LinkedLoop.Start(new ScriptedRobot(), options, new ConstantOperator(1)))
        {
            using var refused = AsNobody(own.Segments.Path, tokenFile);
            Assert.Equal(1, await refused.WaitForExitAsync(Waits.Patience));
            Assert.Equal($"error: {LinkSegments.LoopFile(own.Segments.Path)}: this user may not read it (the loop gives access with --link-group)", refused.Stderr.Trim());
        }
    }

    private static ControllerProcess AsNobody(string link, string tokenFile) => ControllerProcess.StartProgram("setpriv",
        ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", Path.Combine(AppContext.BaseDirectory, "controller"),
         "gateway", "--link", link, "--grpc", "http://127.0.0.1:0", "--token-file", tokenFile]);
}
