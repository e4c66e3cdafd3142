using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Benchmarks;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Timing;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary>
/// <c>controller bench --policy policy.onnx</c>: the real loop on a null robot, then bare RunWithBinding calls
/// on the same file: what a user checks on their own Pi before trusting it with a robot.
/// </summary>
internal static class BenchLoopCommand
{
    public static void Configure(Command bench)
    {
        var policy = new Option<string>("--policy") { Description = "The policy to time." };
        var rate = new Option<double>("--rate") { Description = "Loop rate in hertz.", DefaultValueFactory = _ => 1000 };
        var seconds = new Option<double>("--seconds") { Description = "How long to run the loop.", DefaultValueFactory = _ => 10 };
        var noRealtime = new Option<bool>("--no-realtime") { Description = "Do not ask for SCHED_FIFO or pin the loop thread." };
        var json = CliCommand.JsonOption();
        foreach (var option in new Option[] { policy, rate, seconds, noRealtime, json })
        {
            bench.Add(option);
        }
        bench.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            string path = parse.GetValue(policy) ?? throw new ArgumentException("--policy: name the policy to time, or use a subcommand (see --help)");
            var duration = DurationParser.Seconds(parse.GetValue(seconds), "--seconds");
            using var runner = new PolicyRunner(path);
            var robot = new NullRobot(runner.Metadata, parse.GetValue(rate));
            var options = new LoopOptions
            {
                RateHz = parse.GetValue(rate),
                Duration = duration,
                Realtime = !parse.GetValue(noRealtime),
                CheckPolicyRate = false,
                // Measure allocation over at least nine tenths of even a short run.
                WarmupTicks = (int)Math.Min(1000, parse.GetValue(rate) * parse.GetValue(seconds) / 10),
            };
            using var loop = new ControlLoop(robot, options, runner);
            console.Line($"running {path} at {options.RateHz} Hz for {parse.GetValue(seconds)} s on a null robot");
            using var hub = new EventHub(loop);
            using var events = hub.Subscribe();
            loop.Start();
            var report = LoopMonitor.Watch(loop, hub, events, console, robot: false);
            // The bare calls run like the loop: same rate, same thread priority and CPU, then back to back.
            var paced = new LatencyHistogram();
            var hot = new LatencyHistogram();
            var linkRead = new LatencyHistogram();
            var bareThread = new Thread(() =>
            {
                if (options.Realtime)
                {
                    RealtimeThread.TrySetFifo(options.Priority);
                    RealtimeThread.TryPin(RealtimeThread.LastAllowedCpu());
                }
                RealtimeThread.TrySetMinimalTimerSlack();
                int calls = (int)Math.Min(report.Ticks, 100_000);
                runner.MeasureBare(calls, (long)(1e9 / options.RateHz), paced.Record);
                runner.MeasureBare(calls, 0, hot.Record);
                LinkReadBenchmark.Measure(robot.Description, options, runner, calls, (long)(1e9 / options.RateHz), linkRead.Record);
            });
            using (CpuWakeLatency.RequestZero())
            {
                bareThread.Start();
                bareThread.Join();
            }
            var bareSummary = paced.Summarize();

            LoopSummary.Print(console, report, paced: true, robot: false);
            var c = CultureInfo.InvariantCulture;
            var bareUs = bareSummary.InMicroseconds();
            var workUs = report.Work.InMicroseconds();
            var hotUs = hot.Summarize().InMicroseconds();
            console.Line(string.Create(c, $"bare RunWithBinding at {options.RateHz} Hz  p50 {bareUs.P50,8:F1} µs  p99 {bareUs.P99,8:F1} µs; back to back p50 {hotUs.P50:F1} µs  p99 {hotUs.P99:F1} µs"));
            console.Line(string.Create(c, $"the tick adds {workUs.P50 - bareUs.P50:F2} µs at p50 and {workUs.P99 - bareUs.P99:F2} µs at p99 to bare inference at the same rate"));
            var linkUs = linkRead.Summarize().InMicroseconds();
            console.Line(string.Create(c, $"with an operator in control, a tick also reads their command from the gateway's file (1 pread, 3 for a new command: every {LinkReadBenchmark.TicksPerCommand}th tick here): p50 {linkUs.P50:F1} µs  p99 {linkUs.P99:F1} µs"));
            // What the figures mean for a robot: is this machine fit for the rate measured, for 1 kHz, for 100 Hz?
            var verdicts = LoopFitness.Judge(LoopTiming.Of(report, options.RateHz));
            foreach (var verdict in verdicts)
            {
                console.Line(verdict.Line);
            }
            var summary = LoopSummary.Json(report, robot: false);
            summary["verdict"] = new JsonArray([.. verdicts.Select(v => (JsonNode)new JsonObject
            {
                ["rate_hz"] = v.RateHz,
                ["fit"] = v.Fit,
                ["reason"] = v.Reason,
                ["response_p999_us"] = v.ResponseP999Us,
                ["limit_us"] = v.LimitUs,
                ["longest_stall_ms"] = v.LongestStallMs,
                ["watchdog_timeout_ms"] = v.WatchdogTimeoutMs,
            })]);
            summary["policy"] = path;
            summary["rate_hz"] = options.RateHz;
            summary["bare_inference_us"] = LoopSummary.Percentiles(bareSummary);
            summary["bare_inference_back_to_back_us"] = LoopSummary.Percentiles(hot.Summarize());
            summary["operator_command_read_us"] = LoopSummary.Percentiles(linkRead.Summarize());
            summary["tick_overhead_us_p50"] = workUs.P50 - bareUs.P50;
            summary["tick_overhead_us_p99"] = workUs.P99 - bareUs.P99;
            console.Summary(summary);
            return 0;
        }));
    }
}
