using System.Globalization;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using System.Text.Json;
using Robotics.Controller.Gateway.Foxglove;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Remote;

/// <summary>
/// `--foxglove`: a running controller's gateway serves the live robot over Foxglove's WebSocket protocol, read here by
/// Foxglove's own client library (@foxglove/ws-protocol, under node) decoding each message from the advertised schema,
/// with each of the two subprotocols. The steps go on the teleop log's topic as the log's message, so a layout made on
/// a recording reads a live robot.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class FoxgloveLiveTests(SimPolicies policies)
{
    private static ControllerProcess StartRun(string policy, int port) => ControllerProcess.Start(["run", "--robot", "sim:reach", "--policy", policy,
        "--until-stopped", "--no-realtime", "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--foxglove", $"ws://127.0.0.1:{port}"]);

    [Theory]
    [InlineData(FoxgloveProtocol.SdkSubprotocol)]
    [InlineData(FoxgloveProtocol.WebSocketSubprotocol)]
    public async Task Foxglove_s_own_client_decodes_every_step_and_the_events_live(string subprotocol)
    {
        int port = FreePorts.Next();
        using var run = StartRun(policies.Reach, port);
        await run.WaitForLineAsync(line => line == $"Foxglove at ws://127.0.0.1:{port}/", Waits.Patience);

        // 3 s at 100 Hz spans an episode's help request (sim:reach's policy asks in each of its first episodes).
        var got = await NodeFoxgloveClient.RunAsync($"ws://127.0.0.1:{port}", subprotocol, seconds: 4);

        Assert.Equal(subprotocol, got.GetProperty("protocol").GetString());
        Assert.Equal("robot sim:reach", got.GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.Equal(
            ["/step robotics.log.v1.Step protobuf protobuf", "/events robotics.control.v1.Event protobuf protobuf", "/status robotics.control.v1.Status protobuf protobuf"],
            got.GetProperty("channels").EnumerateArray().Select(c => $"{c.GetProperty("topic")} {c.GetProperty("schemaName")} {c.GetProperty("encoding")} {c.GetProperty("schemaEncoding")}"));
        var steps = got.GetProperty("topics").GetProperty("/step");
        Assert.True(steps.GetProperty("count").GetInt32() >= 100, $"only {steps.GetProperty("count")} steps in 4 s of a 100 Hz loop");
        Assert.Equal(0, steps.GetProperty("gaps").GetInt32());
        var step = steps.GetProperty("first");
        Assert.Equal(8, step.GetProperty("observation").GetArrayLength());
        Assert.Equal(2, step.GetProperty("action").GetArrayLength());
        Assert.Equal(2, step.GetProperty("policy_mean").GetArrayLength());
        // Message Data's log time is Unix time in ns, as the recording's log times are.
        long logTimeMs = long.Parse(steps.GetProperty("logTimes")[0].GetString()!) / 1_000_000;
        Assert.InRange(logTimeMs, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var events = got.GetProperty("topics").GetProperty("/events");
        Assert.Contains("EVENT_KIND_", events.GetProperty("first").GetProperty("kind").GetString());
        // Once a second, the loop's health and the devices' counters.
        var status = got.GetProperty("topics").GetProperty("/status");
        Assert.InRange(status.GetProperty("count").GetInt32(), 2, 5);
        Assert.Equal("sim:reach", status.GetProperty("last").GetProperty("robot").GetString());
        Assert.True(long.Parse(status.GetProperty("last").GetProperty("ticks").GetString()!) > 100);
        Assert.Empty(got.GetProperty("statuses").EnumerateArray());
        Assert.Empty(got.GetProperty("errors").EnumerateArray());

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task A_viewer_that_falls_behind_is_told_how_many_steps_it_lost_and_the_robot_runs_on()
    {
        int port = FreePorts.Next();
        // Ticks back to back: a viewer that stops reading for 2 s is a whole tick ring behind.
        using var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--policy", policies.Reach, "--until-stopped", "--unpaced", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--foxglove", $"ws://127.0.0.1:{port}"]);
        await run.WaitForLineAsync(line => line.StartsWith("Foxglove at ", StringComparison.Ordinal), Waits.Patience);

        var got = await NodeFoxgloveClient.RunAsync($"ws://127.0.0.1:{port}", FoxgloveProtocol.SdkSubprotocol, seconds: 4, "--stall", "2");

        Assert.True(got.GetProperty("topics").GetProperty("/step").GetProperty("gaps").GetInt32() > 0, "the stalled viewer lost no steps: the test did not stall it");
        // At most one a second, each under the one id, so that the app shows the latest count in one line.
        var warnings = got.GetProperty("statuses").EnumerateArray().Where(s => s.GetProperty("level").GetInt32() == FoxgloveProtocol.Warning).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, warning => Assert.Equal("steps-dropped", warning.GetProperty("id").GetString()));
        var lost = warnings.Select(warning => long.Parse(Regex.Match(warning.GetProperty("message").GetString()!,
            @"^This viewer fell behind the robot: ([1-9]\d*) steps of /step were dropped so far, the oldest first").Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(lost.Order(), lost);
        Assert.DoesNotContain(got.GetProperty("statuses").EnumerateArray(), s => s.GetProperty("level").GetInt32() == FoxgloveProtocol.Error);

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task A_robot_that_stops_tells_its_viewers_why_and_closes_their_connections_cleanly()
    {
        int port = FreePorts.Next();
        using var run = StartRun(policies.Reach, port);
        await run.WaitForLineAsync(line => line.StartsWith("Foxglove at ", StringComparison.Ordinal), Waits.Patience);
        using var client = NodeFoxgloveClient.Start($"ws://127.0.0.1:{port}", FoxgloveProtocol.SdkSubprotocol, seconds: 120, "--until-closed");
        await client.WaitForFirstStepAsync();

        run.Signal("TERM");

        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
        var got = await client.SummaryAsync();
        var closed = got.GetProperty("closed");
        Assert.True(closed.GetProperty("code").GetInt32() == 1000, $"closed with {closed} instead of a close handshake");
        var why = Assert.Single(got.GetProperty("statuses").EnumerateArray());
        Assert.Equal(FoxgloveProtocol.Error, why.GetProperty("level").GetInt32());
        Assert.Contains("stopped", why.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""{"op":"subscribe","subscriptions":[{"id":0,"channelId":99}]}""", "Unknown channel ID: 99")]
    [InlineData("""{"op":"subscribe","subscriptions":[{"id":0,"channelId":1},{"id":0,"channelId":2}]}""", "Subscription ID was already used: 0; ignoring subscription")]
    [InlineData("""{"op":"subscribe","subscriptions":[{"id":0,"channelId":1},{"id":1,"channelId":1}]}""", "Client is already subscribed to channel: 1; ignoring subscription")]
    [InlineData("""{"op":"advertise","channels":[]}""", "Server does not support \"advertise\": it only publishes (subscribe and unsubscribe)")]
    [InlineData("""{"op":"setParameters","parameters":[]}""", "Server does not support \"setParameters\": it only publishes (subscribe and unsubscribe)")]
    [InlineData("""{"subscriptions":[]}""", "Invalid message: no \"op\"")]
    [InlineData("""{"op":"subscribe","subscriptions":[{"id":-1,"channelId":1}]}""", "Invalid message: ")]
    [InlineData("not json", "Invalid message: ")]
    public async Task A_request_the_server_cannot_serve_gets_a_status_error_naming_it_and_nothing_else(string request, string status)
    {
        int port = FreePorts.Next();
        using var run = StartRun(policies.Reach, port);
        await run.WaitForLineAsync(line => line.StartsWith("Foxglove at ", StringComparison.Ordinal), Waits.Patience);

        var got = await NodeFoxgloveClient.RunAsync($"ws://127.0.0.1:{port}", FoxgloveProtocol.SdkSubprotocol, seconds: 1.5, "--send", request);

        var statuses = got.GetProperty("statuses").EnumerateArray().ToList();
        var error = Assert.Single(statuses);
        Assert.Equal(FoxgloveProtocol.Error, error.GetProperty("level").GetInt32());
        Assert.StartsWith(status, error.GetProperty("message").GetString());
        // The valid part of a request is served: the first subscription of a pair stands.
        bool servedOne = request.Contains("\"id\":0,\"channelId\":1}", StringComparison.Ordinal);
        Assert.Equal(servedOne, got.GetProperty("topics").TryGetProperty("/step", out _));
        Assert.Equal(1000, got.GetProperty("closed").GetProperty("code").GetInt32());

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task A_browser_or_client_without_a_Foxglove_subprotocol_is_told_what_the_server_is()
    {
        int port = FreePorts.Next();
        using var run = StartRun(policies.Reach, port);
        await run.WaitForLineAsync(line => line.StartsWith("Foxglove at ", StringComparison.Ordinal), Waits.Patience);

        using var http = new HttpClient();
        var page = await http.GetAsync($"http://127.0.0.1:{port}/");
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("something.else.v1");
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal($"a Foxglove WebSocket server: open it in Foxglove (Open connection, Foxglove WebSocket, ws://127.0.0.1:{port}/); it speaks foxglove.sdk.v1 and foxglove.websocket.v1\n",
            await page.Content.ReadAsStringAsync());
        Assert.Contains("400", refused.Message);

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }
}
