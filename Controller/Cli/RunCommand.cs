using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Recording;
using Robotics.Controller.Link;
using Robotics.Controller.Remote;
using Robotics.Controller.Service;
using Robotics.Controller.Timing;
using Robotics.Hardware.Robots;
using Robotics.Hardware.Simulation;
using Robotics.Controller.CommandLine;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Cli;

/// <summary><c>controller run</c>: drive a robot (real or simulated) with a policy or an operator, recording every tick.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var robot = new Option<string>("--robot") { Description = "sim:reach, sim:cartpole, or a robot config file (robot.json).", Required = true };
        var policy = new Option<string?>("--policy") { Description = "The policy to run (autonomous and shadow modes)." };
        var mode = new Option<string?>("--mode") { Description = "autonomous (the policy drives), teleop (the operator drives) or shadow (the operator drives, the policy runs beside it); by default autonomous with --policy, teleop without." };
        PlainOptions.OneOf(mode, "autonomous", "teleop", "shadow");
        var rate = new Option<double?>("--rate") { Description = "Ticks per second (10–2000); by default the robot's own rate." };
        var episodes = new Option<int>("--episodes") { Description = "Stop after this many episodes.", DefaultValueFactory = _ => 0 };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long, e.g. 30s or 2m." };
        var untilStopped = new Option<bool>("--until-stopped") { Description = "Run until stopped (Ctrl+C, SIGTERM from systemd, an e-stop that ends it): for a service." };
        var record = new Option<string?>("--record") { Description = "Record every tick into this teleop log (.mcap), which must not exist; or into a new file in this folder, named by the robot and the start time (a service's recordings)." };
        var onRecordingFailure = new Option<string>("--on-recording-failure")
        {
            Description = "When the recording fails (a full disk): continue (the robot goes on unrecorded, the failure told at once) or stop (the run stops, the robot made safe).",
            DefaultValueFactory = _ => "continue",
        };
        onRecordingFailure.AcceptOnlyFromAmong("continue", "stop");
        var stochastic = new Option<bool>("--stochastic") { Description = "Sample actions from the policy (μ + σ·ε, or from the softmax) instead of its mean or argmax." };
        var seed = new Option<int>("--seed") { Description = "Seed for the simulator and for sampling.", DefaultValueFactory = _ => 0 };
        var noRealtime = new Option<bool>("--no-realtime") { Description = "Do not ask for SCHED_FIFO, pin the loop thread or lock the process's memory." };
        var priority = new Option<int>("--priority") { Description = "SCHED_FIFO priority of the loop thread.", DefaultValueFactory = _ => 80 };
        var cpu = new Option<int?>("--cpu") { Description = "CPU to pin the loop thread to (default: the last one)." };
        var unpaced = new Option<bool>("--unpaced") { Description = "Simulators only: run ticks back to back instead of in real time." };
        var remote = RemoteOptions.Create();
        var json = CliCommand.JsonOption();
        var command = new Command("run", "Run the control loop on a robot: read, infer, arbitrate, make safe, write and record every tick; print episodes, success rate, achieved rate, overruns and latency percentiles on exit. With --grpc, serve telemetry, override and control to remote operators.")
        {
            robot, policy, mode, rate, episodes, duration, untilStopped, record, onRecordingFailure, stochastic, seed, noRealtime, priority, cpu, unpaced, json,
        };
        remote.AddTo(command);
        command.SetAction((parse, cancellation) => CliCommand.RunStoppableAsync(parse, json, async console =>
        {
            string robotName = parse.GetValue(robot)!;
            bool limited = parse.GetValue(episodes) != 0 || parse.GetValue(duration) is not null;
            if (parse.GetValue(untilStopped) && limited)
            {
                throw new ArgumentException("--until-stopped: runs until a signal stops it; leave out --episodes and --duration");
            }
            if (!parse.GetValue(untilStopped) && !limited)
            {
                throw new ArgumentException("say when to stop: --episodes N, --duration 30s, or --until-stopped (a service: until SIGTERM)");
            }
            var server = remote.Read(parse);
            using var hardware = RobotFactory.Open(robotName, parse.GetValue(rate), parse.GetValue(seed));
            bool simulated = hardware is SimulatedRobot;
            if (parse.GetValue(unpaced) && !simulated)
            {
                throw new ArgumentException("--unpaced: only a simulator may run faster than real time");
            }
            // The common case decides the default: a policy is given to drive; without one, an operator drives.
            string modeName = parse.GetValue(mode) ?? (parse.GetValue(policy) is null ? "teleop" : "autonomous");
            var options = new LoopOptions
            {
                RateHz = parse.GetValue(rate) ?? hardware.Description.RateHz,
                Mode = modeName switch { "teleop" => ControlMode.Teleop, "shadow" => ControlMode.Shadow, _ => ControlMode.Autonomous },
                MaxEpisodes = parse.GetValue(episodes),
                Duration = parse.GetValue(duration) is string d ? DurationParser.Parse(d) : null,
                Stochastic = parse.GetValue(stochastic),
                Seed = parse.GetValue(seed),
                Realtime = !parse.GetValue(noRealtime),
                LockMemory = !parse.GetValue(noRealtime),
                Priority = parse.GetValue(priority),
                Cpu = parse.GetValue(cpu),
                Paced = !parse.GetValue(unpaced),
                OnRecordingFailure = parse.GetValue(onRecordingFailure) == "stop" ? RecordingFailureAction.Stop : RecordingFailureAction.Continue,
            };
            options = remote.Apply(parse, options);
            using var runner = parse.GetValue(policy) is string path ? new PolicyRunner(path) : null;
            if (runner?.Integrity == PolicyIntegrity.NotStamped)
            {
                console.Warning($"{runner.Path} carries no content digest (exported before digests, or by another tool): damage to its weights cannot be detected; re-export it with `trainer train`");
            }
            IOperator? @operator = hardware switch
            {
                IScriptedExpert expert => new ScriptedOperator(expert),
                ITeleopSource { HasTeleop: true } leader => new TeleopSourceOperator(leader),
                _ => null,
            };
            string? recording = parse.GetValue(record) is string log ? NewFile.Recording(log, hardware.Description.Name) : null;
            using var recorder = recording is null ? null : TickRecorder.Create(recording, hardware.Description.ToEpisodeInfo(options.RateHz, "", ""));
            // Remote operators reach the loop through a shared-memory link to the gateway process: the loop process serves no socket.
            string? linkPath = remote.LinkPath(parse, robotName);
            using var segments = linkPath is null ? null : LoopLink.CreateSegments(linkPath, hardware.Description, options, runner, remote.LinkGroup(parse));
            using var loop = new ControlLoop(hardware, options, runner, @operator, recorder, segments);
            // Ctrl+C or SIGTERM: the loop stops after its current tick, makes the robot safe and closes its episode.
            using var stopOnSignal = cancellation.Register(loop.RequestStop);
            // A second one ends the process before that has finished, but not before the devices are halted.
            StopSignals.Installed?.BeforeForcedExit(signal => ForcedExit(signal, hardware, recorder is not null, console));
            using var hub = new EventHub(loop);
            using var events = hub.Subscribe();
            await using var plane = new ControlPlane(loop, hub, recorder);
            using var loopLink = segments is null ? null : new LoopLink(loop, plane, hub, segments);
            // Whatever fails at start fails before the first tick (a port already taken, a robot that will not start),
            // before the run says it is running, and the recording it would have held is not left behind empty.
            await using var gateway = server is null ? null : await OrDiscard(recorder, () => GatewayProcess.StartAsync(segments!, robotName, LoopCpu(options), server, console));
            await OrDiscard(recorder, () =>
            {
                loop.Start();
                return Task.FromResult(loop);
            });
            string running = $"running {robotName} in {modeName} mode at {options.RateHz} Hz";
            console.Line($"{running}{(recording is null ? "" : ", recording to " + recording)}");
            // Under systemd (Type=notify): ready once the loop ticks, and a watchdog ping while it keeps ticking.
            using var heartbeat = ServiceHeartbeat.For(loop, running);
            using var stopping = cancellation.Register(() => heartbeat?.Stopping());
            if (gateway is not null)
            {
                console.Line($"gRPC listening on {gateway.Address} (gateway process {gateway.Pid})");
                if (server!.MetricsUrl is { } metrics)
                {
                    console.Line($"metrics at {new Uri(metrics, "/metrics")}");
                }
                if (server.FoxgloveUrl is { } foxglove)
                {
                    console.Line($"Foxglove at {foxglove}");
                }
                if (server.ConsoleUrl is { } page)
                {
                    console.Line($"console at {page}");
                }
            }
            else if (segments is not null)
            {
                console.Line($"waiting for a gateway at {segments.Path}: controller gateway --link {segments.Path} --grpc URL --token-file FILE");
            }
            var report = await Task.Run(() => LoopMonitor.Watch(loop, hub, events, console), CancellationToken.None);
            // The link says the run is over: the gateway tells its clients and exits.
            loopLink?.Dispose();
            // A failure is reported here, in the summary, rather than thrown: the run's figures are printed whatever the log did.
            var recordingFailure = recorder?.Close(loop.Ticks.Published);
            // From the signal to the robot safe, every device closed and the log closed: the stop's whole cost.
            var stopTook = StopSignals.Installed?.SinceReceived;
            if (StopSignals.Installed?.Received is string signal)
            {
                console.Line(string.Create(CultureInfo.InvariantCulture, $"stopped by {signal} in {stopTook!.Value.TotalMilliseconds:F0} ms (devices halted and closed{(recorder is null ? "" : recordingFailure is null ? ", log closed" : "; the log had failed")})"));
            }
            else if (loop.StoppedByRecordingFailure)
            {
                console.Line("stopped because the recording failed (--on-recording-failure stop): devices halted and closed");
            }
            LoopSummary.Print(console, report, options.Paced);
            if (loopLink is not null && (loop.Overrides.RejectedCommands > 0 || loopLink.RejectedRequests > 0))
            {
                console.Warning($"the gateway handed on {loop.Overrides.RejectedCommands} commands and {loopLink.RejectedRequests} requests the loop refused (out of the rules, or unreadable)");
            }
            if (recorder is not null)
            {
                RecordingSummary.Print(console, recorder, recordingFailure, options.OnRecordingFailure, loop.StoppedByRecordingFailure);
            }
            var unconfirmed = UnconfirmedHalts(hardware, console);
            var summary = LoopSummary.Json(report);
            summary["unconfirmed_halts"] = unconfirmed;
            summary["robot"] = robotName;
            summary["mode"] = modeName;
            summary["rate_hz"] = options.RateHz;
            summary["stopped_by"] = StopSignals.Installed?.Received ?? (loop.StoppedByRecordingFailure ? "recording failure" : null);
            summary["stop_ms"] = stopTook?.TotalMilliseconds;
            summary["gateway_restarts"] = gateway?.Restarts;
            summary["rejected_commands"] = loopLink is null ? null : loop.Overrides.RejectedCommands;
            summary["rejected_requests"] = loopLink?.RejectedRequests;
            summary["recording"] = recorder is null ? null : RecordingSummary.Json(recorder, recordingFailure);
            console.Summary(summary);
            int status = recordingFailure is null ? 0 : RecordingSummary.FailedExitCode;
            return StopSignals.Installed?.ExitCode(otherwise: status) ?? status;
        }));
        return command;
    }

    /// <summary>The CPU the loop thread is pinned to, for the gateway to keep off; null when it is not pinned.</summary>
    private static int? LoopCpu(LoopOptions options) => options.Realtime ? options.Cpu ?? RealtimeThread.LastAllowedCpu() : null;

    /// <summary>Runs a step of the start; when it fails, the recording (created, never started) is deleted.</summary>
    private static async Task<T> OrDiscard<T>(TickRecorder? recorder, Func<Task<T>> start)
    {
        try
        {
            return await start();
        }
        catch
        {
            recorder?.Discard();
            throw;
        }
    }

    /// <summary>A second signal: the devices halted (waited for, within a bound), and what was left undone said.</summary>
    private static void ForcedExit(string signal, IRobotHardware hardware, bool recording, CommandOutput console)
    {
        var notSafe = ForcedHalt.Run(hardware, ForcedHalt.Patience);
        string devices = notSafe.Count == 0 ? "every device halted" : $"not confirmed safe: {string.Join(", ", notSafe)}";
        string log = recording ? "; the recording is left unclosed (trainer log recover FILE closes a copy)" : "";
        console.Error($"second {signal}: exiting before the stop finished; {devices}{log}");
    }

    /// <summary>
    /// Devices whose hardware had not confirmed the halt when the stop gave up (after each one's budget), said as
    /// errors: their actuators may still be powered. The list goes in the summary.
    /// </summary>
    private static JsonArray UnconfirmedHalts(IRobotHardware hardware, CommandOutput console)
    {
        var unconfirmed = new JsonArray();
        foreach (var device in hardware.Devices)
        {
            var confirmation = device.HaltConfirmation;
            if (confirmation.Unconfirmed.Count == 0)
            {
                continue;
            }
            string parts = string.Join(", ", confirmation.Unconfirmed);
            console.Error($"{device.Name}: {parts} did not confirm the halt ({confirmation.Halt}) before the controller stopped: check them by hand");
            unconfirmed.Add((JsonNode)new JsonObject { ["device"] = device.Name, ["parts"] = new JsonArray([.. confirmation.Unconfirmed.Select(p => JsonValue.Create(p))]), ["halt"] = confirmation.Halt });
        }
        return unconfirmed;
    }
}
