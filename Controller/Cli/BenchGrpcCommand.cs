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
        var quiet = new Option<double>("--quiet-seconds") { Description = "Length of each run without clients.", DefaultValueFactory = _ => 60 };
        var soak = new Option<double>("--soak-seconds") { Description = "Length of the run with clients, over which memory is sampled.", DefaultValueFactory = _ => 600 };
        var operatorRate = new Option<double>("--operator-rate") { Description = "Override commands per second during the loaded run.", DefaultValueFactory = _ => 100 };
        var clientCpus = new Option<string?>("--client-cpus") { Description = "Keep the client processes on these CPUs (a taskset list, e.g. 0), away from the loop's, as if they ran on other machines." };
        var noRealtime = new Option<bool>("--no-realtime") { Description = "Do not ask for SCHED_FIFO or pin the loop thread." };
        var json = CliCommand.JsonOption();
        var command = new Command("grpc", "Measure the gRPC server's cost to the loop: lateness with no client, with full-rate subscribers, a stalled one and an operator, and with no client again; messages/s delivered; process memory over the loaded run; override command-to-actuator latency.")
        {
            policy, rate, subscribers, quiet, soak, operatorRate, clientCpus, noRealtime, json,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunAsync(parse, json, async console =>
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
                console.Line(string.Create(c, $"  {sample.Seconds,6:F0} s  resident {sample.ResidentBytes / 1048576.0,7:F1} MiB  managed heap {sample.ManagedBytes / 1048576.0,6:F1} MiB"));
            }, cancellation);

            var runs = new JsonArray();
            console.Line($"{"run",-12} {"ticks",8} {"lateness p50",13} {"p99",9} {"p99.9",9} {"max",9} {"overruns",9} {"GCs",5} {"retained",10}");
            foreach (var phase in phases)
            {
                var us = phase.Loop.Lateness.InMicroseconds();
                console.Line(string.Create(c, $"{phase.Name,-12} {phase.Loop.Ticks,8} {us.P50,10:F1} µs {us.P99,6:F1} µs {us.P999,6:F1} µs {us.Max,6:F0} µs {phase.Loop.Overruns,9} {phase.Loop.GarbageCollections,5} {phase.RetainedManagedBytes / 1048576.0,6:F1} MiB"));
                var run = LoopSummary.Json(phase.Loop);
                run["name"] = phase.Name;
                run["retained_managed_mib"] = phase.RetainedManagedBytes / 1048576.0;
                if (phase.Clients is { } clients)
                {
                    run["clients"] = clients;
                }
                runs.Add(run);
            }
            var loaded = phases.Single(p => p.Clients is not null);
            var clientsSummary = loaded.Clients!;
            double quietP99 = phases.Where(p => p.Clients is null).Average(p => p.Loop.Lateness.P99);
            double quietNoise = phases.Where(p => p.Clients is null).Max(p => p.Loop.Lateness.P99) - phases.Where(p => p.Clients is null).Min(p => p.Loop.Lateness.P99);
            double ratio = loaded.Loop.Lateness.P99 / quietP99;
            var latency = clientsSummary["operator"]!["command_to_actuator_us"]!;
            console.Line(string.Create(c,
                $"lateness p99 with clients / without: {ratio:F2} (the two runs without differ by {quietNoise / 1e3:F1} µs; with clients it is {(loaded.Loop.Lateness.P99 - quietP99) / 1e3:+0.0;-0.0} µs from their mean)"));
            console.Line(string.Create(c,
                $"delivered {(double)clientsSummary["messages_per_second"]!:F0} messages/s to {settings.Subscribers} subscribers (they lost {(long)clientsSummary["subscriber_dropped"]!} ticks); the stalled one {StalledOutcome(clientsSummary["stalled_subscriber"]!)}"));
            console.Line(string.Create(c,
                $"override command to actuator: p50 {(double)latency["p50"]!:F0} µs, p99 {(double)latency["p99"]!:F0} µs over {(long)latency["count"]!} acknowledged commands"));
            var memory = MemorySummary(samples);
            if (memory is not null)
            {
                console.Line(string.Create(c,
                    $"resident memory after the first minute {(double)memory["resident_mib_after_first_minute"]!:F1} MiB, at the end {(double)memory["resident_mib_at_end"]!:F1} MiB, highest {(double)memory["resident_mib_max"]!:F1} MiB"));
            }
            console.Summary(new JsonObject
            {
                ["policy"] = settings.PolicyPath,
                ["rate_hz"] = settings.RateHz,
                ["subscribers"] = settings.Subscribers,
                ["client_cpus"] = settings.ClientCpus ?? "any",
                ["runs"] = runs,
                ["lateness_p99_ratio"] = ratio,
                ["quiet_p99_spread_us"] = quietNoise / 1e3,
                ["memory"] = memory,
            });
            return 0;
        }));
        return command;
    }

    private static string StalledOutcome(JsonNode stalled) => stalled["closed_by_server"] is JsonNode closed
        ? $"had its connection closed by the server ({closed})"
        : string.Create(CultureInfo.InvariantCulture, $"had {(ulong)stalled["dropped"]!} ticks skipped");

    /// <summary>Resident memory once the server has warmed up (after the first minute, or the first sample) against the end.</summary>
    private static JsonObject? MemorySummary(List<MemorySample> samples)
    {
        if (samples.Count == 0)
        {
            return null;
        }
        var warm = samples.FirstOrDefault(s => s.Seconds >= 60, samples[0]);
        return new JsonObject
        {
            ["resident_mib_after_first_minute"] = warm.ResidentBytes / 1048576.0,
            ["resident_mib_at_end"] = samples[^1].ResidentBytes / 1048576.0,
            ["resident_mib_max"] = samples.Max(s => s.ResidentBytes) / 1048576.0,
            ["managed_mib_max"] = samples.Max(s => s.ManagedBytes) / 1048576.0,
            ["samples"] = new JsonArray([.. samples.Select(s => (JsonNode)new JsonObject
            {
                ["seconds"] = s.Seconds,
                ["resident_mib"] = s.ResidentBytes / 1048576.0,
                ["managed_mib"] = s.ManagedBytes / 1048576.0,
            })]),
        };
    }
}
