using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Grpc.Core;
using Robotics.Controller.Cli;
using Robotics.Controller.Loop;
using Robotics.Protos.Control;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Remote;

/// <summary>The controller's own clients against a real server: a `controller run --grpc` child process, or a harness.</summary>
[Collection(nameof(SimPolicies))]
public sealed partial class RemoteClientTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [GeneratedRegex(@"gRPC listening on (http\S+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task A_running_controller_serves_the_telemetry_and_override_clients()
    {
        var start = new ProcessStartInfo("dotnet",
            [RepoPaths.ControllerDll, "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "20s", "--no-realtime",
             "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var controller = Process.Start(start)!;
        try
        {
            var address = new TaskCompletionSource<string>();
            controller.OutputDataReceived += (_, line) =>
            {
                if (line.Data is not null && Listening().Match(line.Data) is { Success: true } match)
                {
                    address.TrySetResult(match.Groups[1].Value);
                }
            };
            controller.BeginOutputReadLine();
            string url = await address.Task.WaitAsync(TimeSpan.FromSeconds(60));

            var tail = CliRun.Of(ControllerCli.Build(), "telemetry", "--connect", url, "--token", RobotHarness.Token, "--rate", "50", "--seconds", "1", "--json");
            Assert.True(tail.ExitCode == 0, tail.Stderr);
            Assert.InRange(tail.Json.GetProperty("messages").GetInt64(), 30, 55);
            Assert.Equal("sim:reach", tail.Json.GetProperty("robot").GetString());

            string script = _directory.File("drive.txt");
            File.WriteAllLines(script, ["# seconds shoulder elbow", "0 1.0 0.5", "0.3 -1.0 0.0", "0.6 0 0"]);
            var drive = CliRun.Of(ControllerCli.Build(), "override", "--connect", url, "--token", RobotHarness.Token, "--source", "script:" + script, "--json");
            Assert.True(drive.ExitCode == 0, drive.Stderr);
            Assert.True(drive.Json.GetProperty("applied").GetInt64() > 20);
            Assert.Equal(0, drive.Json.GetProperty("rejected").GetInt64());
            Assert.Equal("released: released", drive.Json.GetProperty("released").GetString());

            var refused = CliRun.Of(ControllerCli.Build(), "override", "--connect", url, "--token", "wrong-token-000", "--source", "script:" + script);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("PermissionDenied", refused.Stderr);
            Assert.Contains("wrong token", refused.Stderr);
        }
        finally
        {
            controller.Kill();
            await controller.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_loses_old_frames_and_slows_nothing()
    {
        var robot = new ScriptedRobot(rateHz: 1000);
        // A ring of four seconds: the stalled subscriber (10 s) falls out of it for sure, while the reading one keeps up
        // even when a busy test host (processes of other tests started beside it) holds it back for a second or two.
        var options = new LoopOptions { RateHz = 1000, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(1), TickRingCapacity = 4096 };
        await using var harness = await RobotHarness.StartAsync(robot, options, @operator: new ConstantOperator(1));
        using var stalledChannel = harness.Channel(smallWindow: true);
        using var channel = harness.Channel();
        using var stalled = new Telemetry.TelemetryClient(stalledChannel).Stream(new TelemetryRequest());
        var client = new Telemetry.TelemetryClient(channel);
        using var reader = client.Stream(new TelemetryRequest { Fields = { TelemetryField.Action } });

        // Ten thousand frames: the stalled stream's 64 KiB window holds a few hundred, so a loop that waited on it
        // would stop long before the reading stream got them all; a loaded machine only takes longer to get there.
        const int Frames = 10_000;
        using var reading = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        long received = 0;
        ulong firstTick = 0, lastTick = 0, readerDropped = 0;
        while (received < Frames && await reader.ResponseStream.MoveNext(reading.Token))
        {
            var frame = reader.ResponseStream.Current;
            firstTick = received++ == 0 ? frame.Tick : firstTick;
            lastTick = frame.Tick;
            readerDropped = frame.Dropped;
        }

        // The stalled stream's first frames sat in HTTP/2's buffers; behind them, the server skipped what the ring
        // overwrote meanwhile, and says so in the frames that follow.
        ulong stalledDropped = 0;
        for (int i = 0; i < 20_000 && stalledDropped == 0 && await stalled.ResponseStream.MoveNext(CancellationToken.None); i++)
        {
            stalledDropped = stalled.ResponseStream.Current.Dropped;
        }
        Assert.True(stalledDropped > 0, "the stalled subscriber was told of no lost ticks");
        Assert.Equal(Frames, received);
        // The reading subscriber got every tick from the one its stream started at, without a gap.
        Assert.Equal(0ul, readerDropped);
        Assert.Equal((long)(lastTick - firstTick + 1), received);
    }

    [Fact]
    public void A_port_already_taken_fails_the_run_before_the_first_tick_and_leaves_no_recording()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        string log = _directory.File("never.mcap");

        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "5s", "--no-realtime",
            "--record", log, "--grpc", $"http://127.0.0.1:{port}", "--token", RobotHarness.Token);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: the gateway could not start: Failed to bind to address http://127.0.0.1:{port}: address already in use.", run.Stderr.Trim());
        // The robot never ran: nothing said it did, and no empty recording is left where the user asked for one.
        Assert.DoesNotContain("running ", run.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(log), "an empty recording was left behind");
    }

    [Theory]
    [InlineData("telemetry")]
    [InlineData("override")]
    public void A_client_for_a_robot_nobody_serves_says_it_cannot_reach_it_in_one_line(string command)
    {
        // Nothing listens on a port just given back: the connection is refused.
        string url = $"http://127.0.0.1:{FreePorts.Next()}";
        string script = _directory.File("hold.txt");
        File.WriteAllText(script, "0 0 0\n");
        string[] args = command == "telemetry"
            ? ["telemetry", "--connect", url, "--token", RobotHarness.Token, "--seconds", "1"]
            : ["override", "--connect", url, "--token", RobotHarness.Token, "--source", "script:" + script];

        var run = CliRun.Of(ControllerCli.Build(), args);

        Assert.Equal((1, $"error: cannot reach the robot at {url}: connection refused (is `controller run … --grpc URL` running there?)"),
            (run.ExitCode, run.Stderr.Trim()));
    }

    [Fact]
    public async Task A_client_asking_https_of_a_robot_that_serves_http_is_told_the_TLS_handshake_failed()
    {
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2) };
        await using var harness = await RobotHarness.StartAsync(new ScriptedRobot(), options, @operator: new ConstantOperator(0));
        string url = $"https://127.0.0.1:{harness.Server.Address.Port}";

        var run = CliRun.Of(ControllerCli.Build(), "telemetry", "--connect", url, "--token", RobotHarness.Token, "--seconds", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: cannot reach the robot at {url}: the TLS handshake failed", Assert.Single(run.Stderr.Trim().Split('\n')));
    }

    [Fact]
    public void A_robot_that_will_not_start_fails_the_run_before_it_says_running_and_leaves_no_recording()
    {
        string config = _directory.File("unplugged.json");
        File.WriteAllText(config, """
            {
              "name": "unplugged-board", "rate_hz": 50,
              "devices": [ { "name": "board", "type": "framed-serial",
                             "settings": { "port": "/nowhere/ttyUSB0", "inputs": ["position"], "outputs": ["motor"] } } ],
              "observations": [ { "name": "position", "unit": "rad", "source": "board.position", "max_age_ms": 100 } ],
              "actions": [ { "name": "motor", "unit": "1", "target": "board.motor", "min": -1, "max": 1, "safe": 0 } ]
            }
            """);
        string log = _directory.File("never.mcap");

        // A remote operator is this robot's teleop source: the gRPC server starts, then the robot fails to.
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", config, "--mode", "teleop", "--duration", "5s", "--no-realtime", "--record", log,
            "--grpc", $"http://127.0.0.1:{FreePorts.Next()}", "--token", RobotHarness.Token);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: board: serial port '/nowhere/ttyUSB0' does not exist", run.Stderr.Trim());
        Assert.DoesNotContain("running ", run.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(log), "an empty recording was left behind");
    }

    [Fact]
    public async Task An_operator_client_killed_by_SIGKILL_gives_the_lease_back()
    {
        var robot = new ScriptedRobot();
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2) };
        await using var harness = await RobotHarness.StartAsync(robot, options, @operator: new ConstantOperator(1));
        string script = _directory.File("hold.txt");
        File.WriteAllText(script, "0 1.5\n");
        using var client = ControllerProcess.Start(["override", "--connect", harness.Server.Address.ToString(), "--token", RobotHarness.Token,
            "--source", "script:" + script, "--seconds", "600"]);
        await RobotHarness.Eventually(() => harness.Loop.Overrides.Held && harness.Loop.Overrides.AppliedSequence >= 0, "the client's lease and a command applied", seconds: 60);

        client.Kill();

        // No Release was sent: the broken stream ends the session, and the robot's own operator drives again.
        await RobotHarness.Eventually(() => !harness.Loop.Overrides.Held, "the lease back", seconds: 30);
        long after = harness.Loop.Statistics.Ticks;
        await RobotHarness.Eventually(() => harness.Loop.Statistics.Ticks > after + 5, "ticks after");
        lock (robot.Written)
        {
            Assert.Equal(1f, robot.Written[^1]);
        }
    }

    [Fact]
    public async Task TLS_with_a_certificate_file_serves_clients_that_trust_it()
    {
        string certificate = _directory.File("robot.crt");
        string key = _directory.File("robot.key");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=127.0.0.1", ecdsa, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllText(certificate, self.ExportCertificatePem());
            File.WriteAllText(key, ecdsa.ExportPkcs8PrivateKeyPem());
        }
        var robot = new ScriptedRobot();
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(1) };
        await using var harness = await RobotHarness.StartAsync(robot, options, @operator: new ConstantOperator(1),
            configure: o => o with { Url = new Uri("https://127.0.0.1:0"), TlsCertificate = certificate, TlsKey = key, ConsoleUrl = new Uri("https://127.0.0.1:0") });

        Assert.Equal("https", harness.Server.Address.Scheme);
        // The console, which sends the token, is served over TLS with the same certificate.
        using var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(certificate));
        using var browser = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == trusted.Thumbprint });
        var page = await browser.GetAsync(harness.Server.ConsoleAddress);
        Assert.Equal("https", harness.Server.ConsoleAddress!.Scheme);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Robot console", await page.Content.ReadAsStringAsync());
        var tail = CliRun.Of(ControllerCli.Build(), "telemetry", "--connect", harness.Server.Address.ToString(), "--token", RobotHarness.Token,
            "--tls-ca", certificate, "--seconds", "0.5", "--json");
        Assert.True(tail.ExitCode == 0, tail.Stderr);
        Assert.True(tail.Json.GetProperty("messages").GetInt64() > 0);

        var untrusted = CliRun.Of(ControllerCli.Build(), "telemetry", "--connect", harness.Server.Address.ToString(), "--token", RobotHarness.Token, "--seconds", "0.5");
        Assert.NotEqual(0, untrusted.ExitCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:50051", "reachable from the network; the server listens on loopback unless you also pass --allow-remote")]
    [InlineData("ftp://127.0.0.1:50051", "must be an http:// or https:// URL")]
    [InlineData("https://127.0.0.1:50051", "--tls-cert and --tls-key go together")]
    public void Server_options_that_would_expose_or_break_the_robot_are_refused(string url, string message)
    {
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--grpc", url, "--token", RobotHarness.Token);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Theory]
    [InlineData(new[] { "--metrics", "http://127.0.0.1:9464" }, "error: --metrics: the metrics are served by the gateway, with --grpc (e.g. --grpc http://127.0.0.1:50051)")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--metrics", "http://0.0.0.0:9464" }, "error: --metrics: 0.0.0.0 is reachable from the network; the server listens on loopback unless you also pass --allow-remote")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--metrics", "https://127.0.0.1:9464" }, "error: --metrics: 'https://127.0.0.1:9464/' must be an http:// URL with a port, e.g. http://127.0.0.1:9464 (served at /metrics)")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--metrics", "nine" }, "error: --metrics: 'nine' is not a URL such as http://127.0.0.1:9464")]
    [InlineData(new[] { "--foxglove", "ws://127.0.0.1:8765" }, "error: --foxglove: Foxglove is served by the gateway, with --grpc (e.g. --grpc http://127.0.0.1:50051)")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--foxglove", "ws://0.0.0.0:8765", "--allow-remote" }, "error: --foxglove: Foxglove cannot send the robot's token, so it serves 0.0.0.0 only with --telemetry-without-token; or keep it on loopback and reach it through an SSH tunnel (ssh -L 8765:127.0.0.1:8765 ROBOT)")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--foxglove", "ws://0.0.0.0:8765", "--telemetry-without-token" }, "error: --foxglove: 0.0.0.0 is reachable from the network; the server listens on loopback unless you also pass --allow-remote")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--foxglove", "wss://127.0.0.1:8765" }, "error: --foxglove: 'wss://127.0.0.1:8765/' must be a ws:// URL with a port, e.g. ws://127.0.0.1:8765")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--foxglove", "eight" }, "error: --foxglove: 'eight' is not a URL such as ws://127.0.0.1:8765")]
    [InlineData(new[] { "--console", "http://127.0.0.1:8080" }, "error: --console: the console is served by the gateway, with --grpc (e.g. --grpc http://127.0.0.1:50051)")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", "http://0.0.0.0:8080" }, "error: --console: 0.0.0.0 is reachable from the network; the server listens on loopback unless you also pass --allow-remote")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", "https://127.0.0.1:8080" }, "error: --console: 'https://127.0.0.1:8080/' must be an http:// URL with a port, e.g. http://127.0.0.1:8080 (https:// when gRPC is)")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", "http://127.0.0.1:8080/console" }, "error: --console: 'http://127.0.0.1:8080/console' must be an http:// URL with a port, e.g. http://127.0.0.1:8080 (https:// when gRPC is)")]
    [InlineData(new[] { "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--console", "page" }, "error: --console: 'page' is not a URL such as http://127.0.0.1:8080")]
    public void Metrics_Foxglove_and_console_options_that_cannot_be_served_are_refused_before_the_robot_starts(string[] options, string message)
    {
        var run = CliRun.Of(ControllerCli.Build(), ["run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", .. options]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(message, run.Stderr.Trim());
    }

    [Fact]
    public void A_server_needs_a_token()
    {
        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "1", "--grpc", "http://127.0.0.1:0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--grpc needs a token: --token or --token-file", run.Stderr);
    }

    [Fact]
    public async Task A_refused_override_client_says_why_and_exits_non_zero()
    {
        var robot = new ScriptedRobot();
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(1) };
        await using var harness = await RobotHarness.StartAsync(robot, options);
        using var channel = harness.Channel();
        using var holder = new Override.OverrideClient(channel).Drive();
        await holder.RequestStream.WriteAsync(new OperatorMessage { TakeOver = new TakeOver { Operator = "alice" } });
        await holder.ResponseStream.MoveNext(CancellationToken.None);
        string script = _directory.File("s.txt");
        File.WriteAllText(script, "0 1\n");

        var second = CliRun.Of(ControllerCli.Build(), "override", "--connect", harness.Server.Address.ToString(), "--token", RobotHarness.Token, "--source", "script:" + script);

        Assert.Contains("FailedPrecondition: the override lease is held by alice", second.Stderr);
        Assert.Equal(2, second.ExitCode);
    }
}
