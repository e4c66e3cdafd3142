using Grpc.Core;
using Robotics.Protos.Control;
using Robotics.Protos.TeleopLog;
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
        string[] run = ["run", "--robot", "sim:reach", "--policy", policies.Reach, "--episodes", "3", "--seed", "7", "--unpaced", "--no-realtime"];
        string x64 = arm64.Scratch($"x64-{Guid.NewGuid():N}.mcap");
        string emulated = arm64.Scratch($"arm64-{Guid.NewGuid():N}.mcap");

        using (var reference = ControllerProcess.Start([.. run, "--record", x64]))
        {
            Assert.True(await reference.WaitForExitAsync(Waits.Patience) == 0, reference.Stderr);
        }
        using (var onArm = arm64.Start([.. run, "--record", emulated]))
        {
            Assert.True(await onArm.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, onArm.Stderr);
        }

        var expected = TeleopLogReader.Read(x64).Episodes.SelectMany(e => e.Steps).ToList();
        var actual = TeleopLogReader.Read(emulated).Episodes.SelectMany(e => e.Steps).ToList();
        Assert.True(expected.Count > 100, $"{expected.Count} steps");
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            // Bit for bit under qemu: ONNX Runtime's arm64 kernels and the x64 ones sum this MLP's products in the same
            // order here. docs/deploy.md says what tolerance a real ARM core's kernels would call for.
            Assert.Equal(expected[i].Observation, actual[i].Observation);
            Assert.Equal(expected[i].Action, actual[i].Action);
        }
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
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var telemetry = new Telemetry.TelemetryClient(channel);

        var status = await telemetry.GetStatusAsync(new StatusRequest(), new Metadata { { "authorization", $"Bearer {RobotHarness.Token}" } });
        Assert.Equal("sim:reach", status.Robot);
        Assert.Equal("gaussian", status.Model.Kind);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await telemetry.GetStatusAsync(new StatusRequest(), new Metadata { { "authorization", "Bearer not-the-robots-token" } }));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);

        // The run's end ends the gateway (exit 3: the loop's run is over).
        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(3, await gateway.WaitForExitAsync(TimeSpan.FromMinutes(2)));
    }
}
