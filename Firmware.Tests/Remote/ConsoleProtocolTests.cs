using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Protos.Control;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Remote;

/// <summary>
/// The console's session as any WebSocket client speaks it (the browser's page is one such client): who may open it,
/// and what a malformed or refused message gets (one error naming it, nothing applied).
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class ConsoleProtocolTests(SimPolicies policies)
{
    private async Task<(ControllerProcess Run, string Console, Telemetry.TelemetryClient Telemetry)> StartAsync()
    {
        int port = FreePorts.Next();
        var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--policy", policies.Reach, "--until-stopped", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", $"http://127.0.0.1:{port}"]);
        await run.WaitForLineAsync(line => line == $"console at http://127.0.0.1:{port}/", Waits.Patience);
        string grpc = run.StdoutLines.First(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal)).Split(' ')[3];
        return (run, $"http://127.0.0.1:{port}/", new Telemetry.TelemetryClient(GrpcChannel.ForAddress(grpc)));
    }

    [Fact]
    public async Task Only_the_console_s_own_page_with_the_robot_s_token_opens_a_session()
    {
        var (run, console, _) = await StartAsync();
        using var _run = run;
        using var http = new HttpClient();

        var page = await http.GetAsync(console);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(console + "secrets.json")).StatusCode);
        var plain = await http.GetAsync(console + "session");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Equal("the console's session is a WebSocket: open the console's page\n", await plain.Content.ReadAsStringAsync());
        // Another site's page cannot use a visitor's browser to open the robot's session.
        var crossSite = await Assert.ThrowsAsync<WebSocketException>(() => ConsoleClient.OpenAsync(console, origin: "https://evil.example"));
        Assert.Contains("403", crossSite.Message);

        foreach (var (hello, refusal) in new[]
        {
            ("""{"op":"call","id":1,"method":"EmergencyStop"}""", """the console's first message must be {"op":"hello","token":"..."}"""),
            ("""{"op":"hello","token":"not-the-token"}""", "wrong token"),
            ("""{"op":"hello"}""", "this robot shows its telemetry only with its token"),
        })
        {
            using var session = await ConsoleClient.OpenAsync(console);
            await session.SendAsync(hello);
            Assert.Equal(refusal, (await session.ReceiveAsync("refused")).GetProperty("message").GetString());
            Assert.Equal((WebSocketCloseStatus.PolicyViolation, refusal), await session.ClosedAsync());
        }

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task Each_malformed_or_refused_message_gets_one_error_naming_it_and_nothing_is_applied()
    {
        var (run, console, telemetry) = await StartAsync();
        using var _run = run;
        using var session = await ConsoleClient.OpenAsync(console);
        await session.SendAsync($$"""{"op":"hello","token":"{{RobotHarness.Token}}"}""");
        var welcome = await session.ReceiveAsync("welcome");
        Assert.True(welcome.GetProperty("control").GetBoolean());
        Assert.Equal("sim:reach", welcome.GetProperty("robot").GetProperty("robot").GetString());

        foreach (var (message, op, error) in new[]
        {
            ("not json", "error", "not JSON: "),
            ("[1,2]", "error", "a message must be a JSON object"),
            ("""{"id":3}""", "error", "a message needs an \"op\""),
            ("""{"op":"shutdown"}""", "error", "unknown op \"shutdown\": call, drive"),
            ("""{"op":"call","id":4,"method":"Shutdown"}""", "reply", "no Control method \"Shutdown\": SetMode, ResetEpisode, StartRecording, StopRecording, EmergencyStop, ReleaseEmergencyStop"),
            ("""{"op":"call","id":5,"method":"SetMode","request":{"mode":"MODE_WARP"}}""", "reply", "Control/SetMode: the request is not a SetModeRequest: Invalid enum value: MODE_WARP"),
            ("""{"op":"call","id":6,"method":"SetMode","request":{"mood":"MODE_TELEOP"}}""", "reply", "Control/SetMode: the request is not a SetModeRequest: Unknown field: mood"),
            ("""{"op":"call","id":7,"method":"SetMode","request":{}}""", "reply", "mode must be autonomous, teleop or shadow"),
            ("""{"op":"drive","message":{"command":{"action":[0,0],"sequence":"1"}}}""", "error", "drive: no override session: send takeOver first"),
            ("""{"op":"drive","message":{"steer":{}}}""", "error", "drive: the message is not an OperatorMessage: "),
        })
        {
            await session.SendAsync(message);
            var answer = await session.ReceiveAsync(op);
            Assert.StartsWith(error, answer.GetProperty("message").GetString());
        }
        await session.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        Assert.Equal("the console speaks JSON text messages, not binary", (await session.ReceiveAsync("error")).GetProperty("message").GetString());
        await session.SendAsync("{\"op\":\"call\",\"pad\":\"" + new string('x', 20_000) + "\"}");
        Assert.Equal("a message longer than 16384 bytes", (await session.ReceiveAsync("error")).GetProperty("message").GetString());

        // An out-of-range command in a session is refused by the robot's own rule, with its sequence.
        await session.SendAsync("""{"op":"drive","message":{"takeOver":{"operator":"ana"}}}""");
        await session.ReceiveAsync("drive", m => m.GetProperty("message").TryGetProperty("granted", out _));
        await session.SendAsync("""{"op":"drive","message":{"takeOver":{"operator":"ana"}}}""");
        Assert.Equal("drive: this tab already has an override session; release it first", (await session.ReceiveAsync("error")).GetProperty("message").GetString());
        await session.SendAsync("""{"op":"drive","message":{"command":{"action":["NaN",0],"sequence":"9"}}}""");
        var rejected = await session.ReceiveAsync("drive", m => m.GetProperty("message").TryGetProperty("rejected", out _));
        Assert.Equal("9", rejected.GetProperty("message").GetProperty("rejected").GetProperty("sequence").GetString());

        var status = await telemetry.GetStatusAsync(new StatusRequest(), new Metadata { { "authorization", $"Bearer {RobotHarness.Token}" } });
        Assert.Equal(Mode.Autonomous, status.Mode);
        Assert.False(status.EmergencyStopped);
        Assert.Equal("ana", status.OverrideOwner);

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
        Assert.Equal("the robot's control loop has stopped", (await session.ReceiveAsync("down")).GetProperty("message").GetString());
        Assert.Equal((WebSocketCloseStatus.NormalClosure, ""), await session.ClosedAsync());
    }
}
