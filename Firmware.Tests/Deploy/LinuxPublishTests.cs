using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Deploy;

/// <summary>
/// What the linux-x64 publish profile makes (the arm64 one differs only in its runtime identifier): ONNX Runtime's Linux
/// library and none of its Windows DLLs (its build props used to copy them into every x64 or arm64 output), and a
/// natively compiled controller that acts exactly as the jitted one does, and serves gRPC (the token checked, reflection
/// answered: the parts of it that reflect) and the console (its embedded page, and protobuf's JSON both ways).
/// </summary>
[Collection(PublishedControllerTests.Name)]
public sealed class LinuxPublishTests(PublishedController published, SimPolicies policies)
{
    [Fact]
    public void A_linux_publish_has_libonnxruntime_and_no_windows_onnxruntime_dlls()
    {
        var files = Directory.GetFiles(published.Folder).Select(Path.GetFileName).ToList();
        Assert.Contains("libonnxruntime.so", files);
        Assert.DoesNotContain(files, file => file!.StartsWith("onnxruntime", StringComparison.OrdinalIgnoreCase) && file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_native_controller_records_the_same_actions_as_the_jitted_one()
    {
        string jitted = published.Scratch($"jitted-{Guid.NewGuid():N}.mcap");
        string native = published.Scratch($"native-{Guid.NewGuid():N}.mcap");

        using (var reference = ControllerProcess.Start([.. PublishedRuns.SeededReach(policies.Reach), "--record", jitted]))
        {
            Assert.True(await reference.WaitForExitAsync(Waits.Patience) == 0, reference.Stderr);
        }
        Tool.Run(published.Executable, [.. PublishedRuns.SeededReach(policies.Reach), "--record", native], Waits.Patience);

        // Bit for bit: the same inference library, the same float arithmetic around it.
        PublishedRuns.AssertSameSteps(jitted, native);
    }

    [Fact]
    public async Task The_native_controller_serves_gRPC_checks_the_token_and_answers_reflection()
    {
        int port = FreePorts.Next();
        using var run = ControllerProcess.StartProgram(published.Executable, ["run", "--robot", "sim:reach", "--until-stopped", "--no-realtime",
            "--grpc", $"http://127.0.0.1:{port}", "--token", RobotHarness.Token]);
        await run.WaitForLineAsync(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal), Waits.Patience);
        await PublishedRuns.AssertTokenCheckedAsync(port);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{port}");

        // Reflection finds a service's file by its name: the descriptor lookup trimming could have broken.
        using var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { FileContainingSymbol = "robotics.control.v1.Telemetry" });
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        var file = reflection.ResponseStream.Current.FileDescriptorResponse;
        Assert.NotNull(file);
        Assert.NotEmpty(file.FileDescriptorProto);

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task The_native_controller_serves_the_console_s_page_and_speaks_its_JSON_both_ways()
    {
        int port = FreePorts.Next();
        using var run = ControllerProcess.StartProgram(published.Executable, ["run", "--robot", "sim:reach", "--until-stopped", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", $"http://127.0.0.1:{port}"]);
        await run.WaitForLineAsync(line => line.StartsWith("console at ", StringComparison.Ordinal), Waits.Patience);
        string console = $"http://127.0.0.1:{port}/";

        // The page's files are resources of the native binary.
        using var http = new HttpClient();
        Assert.Contains("Robot console", await http.GetStringAsync(console));
        Assert.Contains("WebSocket", await http.GetStringAsync(console + "console.js"));
        // Protobuf's JSON, written (the robot's description, frames) and read (a request, and a bad one refused by name).
        using var session = await ConsoleClient.OpenAsync(console);
        await session.SendAsync($$"""{"op":"hello","token":"{{RobotHarness.Token}}"}""");
        Assert.Equal("shoulder_torque", (await session.ReceiveAsync("welcome")).GetProperty("robot").GetProperty("actions")[0].GetProperty("name").GetString());
        Assert.Equal(8, (await session.ReceiveAsync("frame")).GetProperty("frame").GetProperty("observation").GetArrayLength());
        await session.SendAsync("""{"op":"call","id":1,"method":"SetMode","request":{"mode":"MODE_TELEOP"}}""");
        Assert.Equal("MODE_TELEOP", (await session.ReceiveAsync("reply", m => m.GetProperty("id").GetInt32() == 1)).GetProperty("reply").GetProperty("mode").GetString());
        await session.SendAsync("""{"op":"call","id":2,"method":"SetMode","request":{"mode":"MODE_WARP"}}""");
        Assert.Contains("Invalid enum value: MODE_WARP", (await session.ReceiveAsync("reply", m => m.GetProperty("id").GetInt32() == 2)).GetProperty("message").GetString());

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }
}
