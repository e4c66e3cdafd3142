using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Benchmarks;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary><c>controller bench grpc</c>: what serving remote operators costs the control loop.</summary>
internal static class BenchGrpcCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "The policy the loop runs (on a null robot).", Required = true };
        var rate = new Option<double>("--rate") { Description = "Loop rate in hertz.", DefaultValueFactory = _ => 1000 };
        var subscribers = new Option<int>("--subscribers") { Description = "Full-rate telemetry subscribers (controller telemetry processes).", DefaultValueFactory = _ => 8 };
        // About a minute in all by default; a memory soak asks for its ten minutes (--quiet-seconds 60 --soak-seconds 600).
        var quiet = new Option<double>("--quiet-seconds") { Description = "Length of each run without clients (two of them).", DefaultValueFactory = _ => 10 };
        var soak = new Option<double>("--soak-seconds") { Description = "Length of the run with clients, over which memory is sampled (600 for a soak).", DefaultValueFactory = _ => 40 };
        var operatorRate = new Option<double>("--operator-rate") { Description = "Override commands per second during the loaded run.", DefaultValueFactory = _ => 100 };
        var clientCpus = new Option<string?>("--client-cpus") { Description = "Keep the client processes on these CPUs (a taskset list, e.g. 0), away from the loop's, as if they ran on other machines." };
        var noRealtime = new Option<bool>("--no-realtime") { Description = "Do not ask for SCHED_FIFO or pin the loop thread." };
        var json = CliCommand.JsonOption();
        var command = new Command("grpc", "Measure the gRPC server's cost to the loop: lateness with no client, with full-rate subscribers, a stalled one and an operator, and with no client again (10 + 40 + 10 s by default); messages/s delivered; process memory over the loaded run; override command-to-actuator latency. Ctrl+C stops it with the figures so far.")
        {
            policy, rate, subscribers, quiet, soak, operatorRate, clientCpus, noRealtime, json,
        };
        // Stoppable: Ctrl+C or SIGTERM ends the run under way and prints what was measured, rather than the process dying.
        command.SetAction((parse, cancellation) => CliCommand.RunStoppableAsync(parse, json, async console =>
        {
            var settings = new GrpcBenchmarkSettings
            {
                PolicyPath = parse.GetValue(policy)!,
                RateHz = parse.GetValue(rate),
                Realtime = !parse.GetValue(noRealtime),
                Subscribers = parse.GetValue(subscribers),
                QuietDuration = DurationParser.Seconds(parse.GetValue(quiet), "--quiet-seconds", atMost: 86400),
                LoadedDuration = DurationParser.Seconds(parse.GetValue(soak), "--soak-seconds", atMost: 86400),
                OperatorRateHz = parse.GetValue(operatorRate),
                ClientCpus = parse.GetValue(clientCpus),
            };
            if (settings.Subscribers < 0 || settings.LoadedDuration < TimeSpan.FromSeconds(5) || settings.OperatorRateHz <= 0)
            {
                throw new ArgumentException("--subscribers must be 0 or more, --operator-rate positive, --soak-seconds at least 5");
            }
            var c = CultureInfo.InvariantCulture;
            var samples = new List<MemorySample>();
            var phases = await GrpcLoadBenchmark.RunAsync(settings, console.Line, sample =>
            {
                samples.Add(sample);
                console.Line(string.Create(c, $"  {sample.Seconds,6:F0} s  loop process resident {sample.ResidentBytes / 1048576.0,7:F1} MiB  gateway resident {sample.GatewayResidentBytes / 1048576.0,7:F1} MiB"));
            }, cancellation);

            string? stoppedBy = cancellation.IsCancellationRequested ? StopSignals.Installed?.Received ?? "a stop request" : null;
            if (stoppedBy is not null)
            {
                var last = phases[^1];
                console.Line(string.Create(c, $"stopped early by {stoppedBy}, {last.Loop.Seconds:F0} s into the {last.Name} run: the figures are of what ran"));
            }
            var runs = new JsonArray();
            console.Line($"{"run",-12} {"CPU",3} {"ticks",8} {"lateness p50",13} {"p99",9} {"p99.9",9} {"max",9} {"overruns",9} {"inference p50",14} {"GCs",5} {"retained",10}");
            foreach (var phase in phases)
            {
                var us = phase.Loop.Lateness.InMicroseconds();
                double inference = phase.Loop.Inference.InMicroseconds().P50;
                string cpu = phase.Loop.PinnedCpu?.ToString(c) ?? "-";
                console.Line(string.Create(c, $"{phase.Name,-12} {cpu,3} {phase.Loop.Ticks,8} {us.P50,10:F1} µs {us.P99,6:F1} µs {us.P999,6:F1} µs {us.Max,6:F0} µs {phase.Loop.Overruns,9} {inference,11:F1} µs {phase.Loop.GarbageCollections,5} {phase.RetainedManagedBytes / 1048576.0,6:F1} MiB{(phase.StoppedEarly ? "  (stopped early)" : "")}"));
                var run = LoopSummary.Json(phase.Loop, robot: false);
                run["name"] = phase.Name;
                run["stopped_early"] = phase.StoppedEarly;
                run["retained_managed_mib"] = phase.RetainedManagedBytes / 1048576.0;
                if (phase.Clients is { } clients)
                {
                    run["clients"] = clients;
                }
                runs.Add((JsonNode)run);
            }
            var quietRuns = phases.Where(p => !p.Loaded).Select(p => p.Loop.Lateness.P99).ToList();
            var loaded = phases.FirstOrDefault(p => p.Loaded);
            double? ratio = null;
            double? quietNoise = quietRuns.Count == 2 ? quietRuns.Max() - quietRuns.Min() : null;
            if (loaded is not null && quietRuns.Count > 0)
            {
                double quietP99 = quietRuns.Average();
                ratio = loaded.Loop.Lateness.P99 / quietP99;
                string noise = quietNoise is { } n ? string.Create(c, $"the two runs without differ by {n / 1e3:F1} µs; ") : "one run without, so no noise measured; ";
                console.Line(string.Create(c,
                    $"lateness p99 with clients / without: {ratio:F2} ({noise}with clients it is {(loaded.Loop.Lateness.P99 - quietP99) / 1e3:+0.0;-0.0} µs from their mean)"));
            }
            if (loaded?.Clients is { } clientsSummary)
            {
                var latency = clientsSummary["operator"]!["command_to_actuator_us"]!;
                console.Line(string.Create(c,
                    $"delivered {(double)clientsSummary["messages_per_second"]!:F0} messages/s to {settings.Subscribers} subscribers (they lost {(long)clientsSummary["subscriber_dropped"]!} ticks); the stalled one {StalledOutcome(clientsSummary["stalled_subscriber"]!)}"));
                console.Line(string.Create(c,
                    $"override command to actuator: p50 {(double)latency["p50"]!:F0} µs, p99 {(double)latency["p99"]!:F0} µs over {(long)latency["count"]!} acknowledged commands"));
                string loopCpu = loaded.Loop.PinnedCpu is int cpu ? $"on CPU {cpu}" : "unpinned";
                console.Line($"the loop ran {loopCpu}; the gateway on CPUs {(string?)clientsSummary["gateway_cpus"] ?? "unknown"}; the clients on CPUs {settings.ClientCpus ?? "any"}");
            }
            else if (loaded is not null)
            {
                console.Line("the clients were ended with the loaded run: no messages/s or override latency for a run stopped early");
            }
            var memory = MemorySummary(samples);
            if (memory is not null)
            {
                console.Line(string.Create(c,
                    $"resident memory of the loop process at {(double)memory["resident_mib_warm_at_seconds"]!:F0} s {(double)memory["resident_mib_warm"]!:F1} MiB, at the end {(double)memory["resident_mib_at_end"]!:F1} MiB, highest {(double)memory["resident_mib_max"]!:F1} MiB; of the gateway, highest {(double)memory["gateway_resident_mib_max"]!:F1} MiB"));
            }
            console.Summary(new JsonObject
            {
                ["policy"] = settings.PolicyPath,
                ["rate_hz"] = settings.RateHz,
                ["subscribers"] = settings.Subscribers,
                ["client_cpus"] = settings.ClientCpus ?? "any",
                ["stopped_by"] = stoppedBy,
                ["runs"] = runs,
                ["lateness_p99_ratio"] = ratio,
                ["quiet_p99_spread_us"] = quietNoise / 1e3,
                ["memory"] = memory,
            });
            // A stop by a signal still says so (130, 143, 129), as `run` does.
            return StopSignals.Installed?.ExitCode(otherwise: 0) ?? 0;
        }));
        return command;
    }

    private static string StalledOutcome(JsonNode stalled) => stalled["closed_by_server"] is JsonNode closed
        ? $"had its connection closed by the server ({closed})"
        : string.Create(CultureInfo.InvariantCulture, $"had {(ulong)stalled["dropped"]!} ticks skipped");

    /// <summary>Resident memory once the server has warmed up (after the first minute, or at the first sample of a shorter run) against the end.</summary>
    private static JsonObject? MemorySummary(List<MemorySample> samples)
    {
        if (samples.Count == 0)
        {
            return null;
        }
        var warm = samples.FirstOrDefault(s => s.Seconds >= 60, samples[0]);
        return new JsonObject
        {
            ["resident_mib_warm"] = warm.ResidentBytes / 1048576.0,
            ["resident_mib_warm_at_seconds"] = warm.Seconds,
            ["resident_mib_at_end"] = samples[^1].ResidentBytes / 1048576.0,
            ["resident_mib_max"] = samples.Max(s => s.ResidentBytes) / 1048576.0,
            ["gateway_resident_mib_max"] = samples.Max(s => s.GatewayResidentBytes) / 1048576.0,
            ["samples"] = new JsonArray([.. samples.Select(s => (JsonNode)new JsonObject
            {
                ["seconds"] = s.Seconds,
                ["resident_mib"] = s.ResidentBytes / 1048576.0,
                ["gateway_resident_mib"] = s.GatewayResidentBytes / 1048576.0,
            })]),
        };
    }
}
