using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Controller.Link;
using Robotics.Protos;
using Robotics.Protos.Control;
using Robotics.Protos.TeleopLog;
using Robotics.Protos.Mcap;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Link;

/// <summary>
/// The loop and its gateway as the processes they are on a robot (`controller run --grpc` and the `controller gateway`
/// it starts), killed with SIGKILL: either side may die, and the other goes on or says so.
/// </summary>
public sealed class GatewayProcessTests : IDisposable
{
    private const string Token = RobotHarness.Token;
    private static readonly TimeSpan Patience = Waits.Patience;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_gateway_killed_during_an_override_is_restarted_the_loop_falls_back_meanwhile_and_a_new_operator_takes_over()
    {
        string log = _directory.File("gateway-killed.mcap");
        using var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "10m", "--no-realtime", "--record", log,
            "--grpc", "http://127.0.0.1:0", "--token", Token, "--stale-after", "200ms"]);
        var (url, gatewayPid) = await ServingAsync(run);
        using (var first = await OperatorSession.TakeOverAsync(url, "first"))
        {
            await first.AppliedAsync(3);
            Kill(gatewayPid);
            // The loop hears nothing more from the operator: its commands go stale and the fallback (the safe action) drives.
            await run.WaitForLineAsync(line => line.EndsWith("override commands went stale", StringComparison.Ordinal), Patience);
        }
        await run.WaitForLineAsync(line => line.StartsWith("gateway restarted (process ", StringComparison.Ordinal), Patience);
        // The dead gateway's operator lost the lease: when the loop found the gateway silent, or a new one attached.
        await run.WaitForLineAsync(line => line.EndsWith("first released the robot (gateway lost)", StringComparison.Ordinal) || line.EndsWith("first released the robot (gateway restarted)", StringComparison.Ordinal), Patience);

        // Served again where it was: telemetry flows, and the lease is free for a new operator.
        using var channel = Channel(url);
        using var telemetry = new Telemetry.TelemetryClient(channel).Stream(new TelemetryRequest(), Auth());
        using var watching = new CancellationTokenSource(Patience);
        Assert.True(await telemetry.ResponseStream.MoveNext(watching.Token), "no telemetry from the restarted gateway");
        using (var second = await OperatorSession.TakeOverAsync(url, "second"))
        {
            await second.AppliedAsync(3);
        }

        run.Signal("INT");
        Assert.Equal(130, await run.WaitForExitAsync(Patience));
        // Recording went on through it all: one tick, one step, whatever the gateway did.
        var recorded = TeleopLogReader.Read(log);
        Assert.True(recorded.StepCount > 0);
        Assert.Contains(run.StdoutLines, line => line.StartsWith("ticks ", StringComparison.Ordinal) && line.Contains(string.Create(CultureInfo.InvariantCulture, $" {recorded.StepCount} in "), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_loop_killed_is_reported_down_to_a_connected_client_and_its_recording_is_recoverable()
    {
        string log = _directory.File("loop-killed.mcap");
        using var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "10m", "--no-realtime", "--record", log,
            "--grpc", "http://127.0.0.1:0", "--token", Token]);
        var (url, gatewayPid) = await ServingAsync(run);
        string link = LinkPaths.ForRun("sim:reach").Replace(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), run.Pid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var channel = Channel(url);
        using var telemetry = new Telemetry.TelemetryClient(channel).Stream(new TelemetryRequest(), Auth());
        using var watching = new CancellationTokenSource(Patience);
        Assert.True(await telemetry.ResponseStream.MoveNext(watching.Token));
        // Long enough for a chunk of the log to be complete on disk.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Kill(run.Pid);
        var down = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await telemetry.ResponseStream.MoveNext(watching.Token))
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, down.StatusCode);
        Assert.Equal($"the robot's control loop is down (its process {run.Pid} is gone)", down.Status.Detail);
        await Eventually(() => !Directory.Exists($"/proc/{gatewayPid}"), "the gateway to exit");
        Assert.False(File.Exists(LinkSegments.LoopFile(link)), "the dead loop's link was left in /dev/shm");

        var recovered = TeleopLogReader.Read(log, new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation });
        Assert.True(recovered.StepCount > 0, "nothing of the recording was recoverable");
    }

    [Fact]
    public async Task The_loop_process_has_no_web_server_and_no_network_socket_the_gateway_has_them()
    {
        using var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "10m", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", Token]);
        var (url, gatewayPid) = await ServingAsync(run);
        // A client connected, so that both processes have done everything a served run does.
        using var channel = Channel(url);
        await new Telemetry.TelemetryClient(channel).GetStatusAsync(new StatusRequest(), Auth());

        Assert.DoesNotContain(MappedFiles(run.Pid), file => file.Contains("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Empty(NetworkSockets(run.Pid));
        Assert.Contains(MappedFiles(gatewayPid), file => file.Contains("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal));
        Assert.NotEmpty(NetworkSockets(gatewayPid));

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Patience));
        await Eventually(() => !Directory.Exists($"/proc/{gatewayPid}"), "the gateway to stop with the run");
    }

    [Fact]
    public async Task A_gateway_run_as_its_own_service_serves_a_loop_started_with_a_link_and_a_new_one_reattaches()
    {
        string link = LinkPaths.Unique();
        string tokenFile = _directory.File("robot.token");
        File.WriteAllText(tokenFile, Token);
        using var run = ControllerProcess.Start(["run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "10m", "--no-realtime", "--link", link]);
        await run.WaitForLineAsync(line => line.StartsWith("waiting for a gateway at ", StringComparison.Ordinal), Patience);

        for (int attempt = 0; attempt < 2; attempt++)
        {
            using var gateway = ControllerProcess.Start(["gateway", "--link", link, "--robot", "sim:reach", "--grpc", "http://127.0.0.1:0", "--token-file", tokenFile]);
            await gateway.WaitForLineAsync(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal), Patience);
            string url = gateway.StdoutLines.First(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal)).Split(' ')[3];
            using (var @operator = await OperatorSession.TakeOverAsync(url, $"operator {attempt}"))
            {
                await @operator.AppliedAsync(3);
                // The first gateway dies holding the lease; the second must find it free.
                Kill(gateway.Pid);
            }
            await gateway.WaitForExitAsync(Patience);
        }

        run.Signal("INT");
        Assert.Equal(130, await run.WaitForExitAsync(Patience));
    }

    /// <summary>The address and the gateway's process, from the run's "gRPC listening on URL (gateway process PID)".</summary>
    private static async Task<(string Url, int GatewayPid)> ServingAsync(ControllerProcess run)
    {
        await run.WaitForLineAsync(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal), Patience);
        var words = run.StdoutLines.First(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal)).Split(' ');
        return (words[3], int.Parse(words[^1].TrimEnd(')'), CultureInfo.InvariantCulture));
    }

    private static void Kill(int pid)
    {
        using var kill = Process.Start("kill", ["-s", "KILL", pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static GrpcChannel Channel(string url) => GrpcChannel.ForAddress(url);

    private static Metadata Auth() => new() { { "authorization", "Bearer " + Token } };

    private static Task Eventually(Func<bool> condition, string what) => RobotHarness.Eventually(condition, what, Patience.TotalSeconds);

    /// <summary>The files a process has mapped (its assemblies among them).</summary>
    private static List<string> MappedFiles(int pid) => [.. File.ReadLines($"/proc/{pid}/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 6).Select(f => f[5]).Distinct()];

    /// <summary>The process's TCP and UDP sockets: its socket descriptors found in the kernel's tables (Unix sockets excluded).</summary>
    private static List<string> NetworkSockets(int pid)
    {
        var inodes = Directory.GetFiles($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget).OfType<string>()
            .Where(target => target.StartsWith("socket:[", StringComparison.Ordinal)).Select(target => target[8..^1]).ToHashSet();
        return [.. new[] { "tcp", "tcp6", "udp", "udp6" }.SelectMany(table => File.ReadLines($"/proc/{pid}/net/{table}").Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length > 9 && inodes.Contains(f[9])).Select(f => string.Join(' ', f[..3]))];
    }

    /// <summary>An operator holding the lease over a real Drive stream, sending a command every 20 ms until disposed.</summary>
    private sealed class OperatorSession : IDisposable
    {
        private readonly GrpcChannel _channel;
        private readonly AsyncDuplexStreamingCall<OperatorMessage, ControllerMessage> _call;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sending;
        private readonly Task _reading;
        private int _applied;

        private OperatorSession(GrpcChannel channel, AsyncDuplexStreamingCall<OperatorMessage, ControllerMessage> call)
        {
            _channel = channel;
            _call = call;
            _sending = SendAsync();
            _reading = ReadAsync();
        }

        public static async Task<OperatorSession> TakeOverAsync(string url, string name)
        {
            var channel = Channel(url);
            var call = new Override.OverrideClient(channel).Drive(Auth());
            await call.ResponseHeadersAsync;
            await call.RequestStream.WriteAsync(new OperatorMessage { TakeOver = new TakeOver { Operator = name } });
            using var granting = new CancellationTokenSource(Patience);
            Assert.True(await call.ResponseStream.MoveNext(granting.Token), "the session ended before it was granted");
            Assert.Equal(ControllerMessage.MessageOneofCase.Granted, call.ResponseStream.Current.MessageCase);
            return new OperatorSession(channel, call);
        }

        /// <summary>Waits until the loop has applied <paramref name="count"/> of this operator's commands.</summary>
        public Task AppliedAsync(int count) => Eventually(() => Volatile.Read(ref _applied) >= count, $"{count} commands applied");

        public void Dispose()
        {
            _stop.Cancel();
            _call.Dispose();
            Task.WhenAll(_sending, _reading).ContinueWith(_ => { }, TaskScheduler.Default).Wait(Patience);
            _channel.Dispose();
            _stop.Dispose();
        }

        private async Task SendAsync()
        {
            try
            {
                for (ulong sequence = 1; !_stop.IsCancellationRequested; sequence++)
                {
                    await _call.RequestStream.WriteAsync(new OperatorMessage { Command = new Command { Sequence = sequence, SentNs = (ulong)MonotonicClock.NowNs(), Action = { 0.1f, -0.1f } } });
                    await Task.Delay(20, _stop.Token);
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException or IOException)
            {
                // The gateway died, or the session ended.
            }
        }

        private async Task ReadAsync()
        {
            try
            {
                while (await _call.ResponseStream.MoveNext(_stop.Token))
                {
                    if (_call.ResponseStream.Current.MessageCase == ControllerMessage.MessageOneofCase.Applied)
                    {
                        Interlocked.Increment(ref _applied);
                    }
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or IOException)
            {
                // As above.
            }
        }
    }
}
