using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// The controller a Raspberry Pi or a Jetson runs, cross-compiled for arm64 and run here under qemu
/// (<see cref="PublishedArm64Controller"/>): it loads a policy and records the same actions as the x64 build, and serves
/// gRPC to an x64 client, checking the token.
/// </summary>
[Collection(Arm64UnderQemuTests.Name)]
public sealed class Arm64ControllerTests(PublishedArm64Controller arm64, SimPolicies policies)
{
    [Fact]
    public async Task The_arm64_controller_records_the_same_actions_as_the_x64_one()
    {
        string x64 = arm64.Scratch($"x64-{Guid.NewGuid():N}.mcap");
        string emulated = arm64.Scratch($"arm64-{Guid.NewGuid():N}.mcap");

        using (var reference = ControllerProcess.Start([.. PublishedRuns.SeededReach(policies.Reach), "--record", x64]))
        {
            Assert.True(await reference.WaitForExitAsync(Waits.Patience) == 0, reference.Stderr);
        }
        using (var onArm = arm64.Start([.. PublishedRuns.SeededReach(policies.Reach), "--record", emulated]))
        {
            Assert.True(await onArm.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, onArm.Stderr);
        }

        // Bit for bit under qemu: ONNX Runtime's arm64 kernels and the x64 ones sum this MLP's products in the same
        // order here. docs/deploy.md says what tolerance a real ARM core's kernels would call for.
        PublishedRuns.AssertSameSteps(x64, emulated);
    }

    [Fact]
    public async Task The_arm64_controller_serves_gRPC_to_an_x64_client_and_refuses_a_wrong_token()
    {
        // The loop and its gateway as two services over a link (docs/remote.md, "Two processes"), both emulated: a run
        // that starts its own gateway would exec the arm64 program directly, which this x86 kernel cannot.
        string link = $"/dev/shm/robotics-arm64-{Guid.NewGuid():N}";
        int port = FreePorts.Next();
        using var run = arm64.Start(["run", "--robot", "sim:reach", "--policy", policies.Reach, "--until-stopped", "--no-realtime", "--link", link]);
        await run.WaitForLineAsync(line => line.StartsWith("waiting for a gateway at ", StringComparison.Ordinal), TimeSpan.FromMinutes(3));
        using var gateway = arm64.Start(["gateway", "--link", link, "--grpc", $"http://127.0.0.1:{port}", "--token", RobotHarness.Token]);
        await gateway.WaitForLineAsync(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal), TimeSpan.FromMinutes(3));
        var status = await PublishedRuns.AssertTokenCheckedAsync(port);
        Assert.Equal("gaussian", status.Model.Kind);

        // The run's end ends the gateway (exit 3: the loop's run is over).
        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(3, await gateway.WaitForExitAsync(TimeSpan.FromMinutes(2)));
    }
}
