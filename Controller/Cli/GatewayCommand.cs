using System.CommandLine;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Gateway;
using Robotics.Controller.Link;
using Robotics.Controller.Timing;

namespace Robotics.Controller.Cli;

/// <summary>
/// <c>controller gateway</c>: a running loop's gRPC services from a process of its own, over the loop's shared-memory
/// link. <c>controller run --grpc</c> starts one and keeps it running; as its own service (another user, restarted on
/// its own) it serves a loop started with <c>--link PATH</c>.
/// </summary>
internal static class GatewayCommand
{
    /// <summary>The exit code when the loop's run ended or its process died: a service manager restarts the gateway, which waits for the next run.</summary>
    public const int RobotDownExitCode = 3;

    private static readonly TimeSpan AttachPoll = TimeSpan.FromMilliseconds(100);

    // Once the robot is down, streams have been ended with UNAVAILABLE; this long lets their last frames go out.
    private static readonly TimeSpan DownGrace = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var link = new Option<string>("--link") { Description = "The loop's link (the --link of `controller run`).", Required = true };
        var robot = new Option<string?>("--robot") { Description = "Refuse a link made for another robot: sim:NAME or a robot config file." };
        var supervised = new Option<bool>("--supervised") { Description = "Started by `controller run`, which says where it listens and stops it: print nothing but problems, and leave Ctrl+C to the run (SIGTERM still stops it)." };
        var avoidCpu = new Option<int?>("--avoid-cpu") { Description = "Keep off this CPU: the one the loop is pinned to (`controller run` passes it)." };
        var server = new ServerFlags();
        var command = new Command("gateway", "Serve a running control loop's telemetry, override and control over gRPC from a process of its own, through the loop's shared-memory link (`controller run --grpc` starts one; run it as its own service for a loop started with --link PATH). Exits with 3 when the loop's run ends or its process dies.")
        {
            link, robot, supervised, avoidCpu,
        };
        server.AddTo(command);
        command.SetAction((parse, cancellation) => CliCommand.RunStoppableAsync(parse, null, async console =>
        {
            var options = server.Read(parse) ?? throw new ArgumentException("--grpc: the URL to serve at, e.g. http://127.0.0.1:50051");
            bool quiet = parse.GetValue(supervised);
            if (quiet)
            {
                StopSignals.Installed?.IgnoreTerminalSignals();
            }
            if (parse.GetValue(avoidCpu) is int cpu && RealtimeThread.TryKeepProcessOff(cpu) is string shared)
            {
                console.Warning($"{shared}: the gateway may share the loop's CPU");
            }
            ulong? expected = parse.GetValue(robot) is string name ? Fingerprint(name) : null;
            using var gateway = await AttachAsync(parse.GetValue(link)!, expected, console, cancellation);
            if (gateway is null)
            {
                return StopSignals.Installed?.ExitCode(otherwise: 0) ?? 0;
            }
            await using var grpc = await RobotServer.StartAsync(gateway, options);
            if (!quiet)
            {
                console.Line($"gRPC listening on {grpc.Address} for the loop of process {gateway.LoopPid}");
                if (grpc.MetricsAddress is { } metrics)
                {
                    console.Line($"metrics at {metrics}");
                }
                if (grpc.FoxgloveAddress is { } foxglove)
                {
                    console.Line($"Foxglove at {foxglove}");
                }
                if (grpc.ConsoleAddress is { } page)
                {
                    console.Line($"console at {page}");
                }
            }
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation, gateway.Down);
            await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!cancellation.IsCancellationRequested)
            {
                if (!gateway.RunEnded)
                {
                    console.Error($"{gateway.DownReason}: the gateway stops");
                }
                else if (!quiet)
                {
                    console.Line($"{gateway.DownReason}: the gateway stops");
                }
                await Task.Delay(DownGrace, CancellationToken.None);
                return RobotDownExitCode;
            }
            return StopSignals.Installed?.ExitCode(otherwise: 0) ?? 0;
        }));
        return command;
    }

    /// <summary>Attaches once the loop has made the link ready, waiting for it (said once); null when stopped while waiting.</summary>
    private static async Task<GatewayLink?> AttachAsync(string path, ulong? expected, CommandOutput console, CancellationToken cancellation)
    {
        bool said = false;
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                return GatewayLink.Attach(path, expected);
            }
            catch (Exception e) when (e is FileNotFoundException or LinkNotReadyException)
            {
                if (!said)
                {
                    console.Line($"waiting for the control loop at {path}");
                    said = true;
                }
            }
            await Task.Delay(AttachPoll, cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        return null;
    }

    private static ulong Fingerprint(string robot)
    {
        using var hardware = RobotFactory.Open(robot, null, 0);
        return RobotFingerprint.Of(hardware.Description);
    }
}
