using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Benchmarks;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary><c>controller bench servos</c>: a sync read + sync write of N servos (Dynamixel or Feetech) over a pseudo-terminal, and how long their halt takes.</summary>
internal static class BenchServosCommand
{
    public static Command Create()
    {
        var protocol = new Option<string>("--protocol") { Description = $"The servo family's device type: {string.Join(", ", ServoBusBenchmark.Protocols)}.", DefaultValueFactory = _ => ServoBusBenchmark.Protocols[0] };
        var servos = new Option<int>("--servos") { Description = "Servos on the chain.", DefaultValueFactory = _ => 6 };
        var baud = new Option<int>("--baud") { Description = "Baud rate the port is set to.", DefaultValueFactory = _ => 1_000_000 };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure.", DefaultValueFactory = _ => 5 };
        var halts = new Option<int>("--halts") { Description = "Halts to time (drive, halt until torque off is read back from every servo, resume).", DefaultValueFactory = _ => 100 };
        var json = CliCommand.JsonOption();
        var command = new Command("servos", "Time a period of a servo chain device (sync read of every servo's position and velocity, sync write of every goal), and its confirmed halt, against emulated servos over a socat pseudo-terminal pair.")
        {
            protocol, servos, baud, seconds, halts, json,
        };
        command.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            int count = parse.GetValue(servos);
            if (count is < 1 or > 252)
            {
                throw new ArgumentException("--servos: must be from 1 to 252");
            }
            if (parse.GetValue(halts) is < 1 or > 100_000)
            {
                throw new ArgumentException("--halts: must be from 1 to 100000");
            }
            if (parse.GetValue(baud) is < 1 or > 4_000_000)
            {
                throw new ArgumentException("--baud: must be from 1 to 4000000");
            }
            var duration = DurationParser.Seconds(parse.GetValue(seconds), "--seconds", atMost: 3600);
            var result = ServoBusBenchmark.Run(parse.GetValue(protocol)!, count, parse.GetValue(baud), duration);
            var halt = ServoHaltBenchmark.Run(result.Protocol, count, result.BaudRate, parse.GetValue(halts));
            var haltMs = halt.Halt.InMicroseconds();
            var us = result.Transaction.InMicroseconds();
            var c = CultureInfo.InvariantCulture;
            console.Line(string.Create(c, $"{result.Servos} {result.Protocol} servos at {result.BaudRate} baud over a pseudo-terminal: {result.Transactions} periods"));
            console.Line(string.Create(c, $"sync read + sync write  p50 {us.P50:F0} µs  p99 {us.P99:F0} µs  p99.9 {us.P999:F0} µs  max {us.Max:F0} µs"));
            console.Line(string.Create(c, $"highest device rate at p99: {1e6 / us.P99:F0} Hz; device thread CPU {result.CpuFraction:P0} of a core back to back; {result.Retries} retries, {result.Failures} failures"));
            console.Line(string.Create(c, $"halt (torque off read back from every servo, 5 ms period): p50 {haltMs.P50 / 1e3:F1} ms  p99 {haltMs.P99 / 1e3:F1} ms  max {haltMs.Max / 1e3:F1} ms over {halt.Halts} halts; a stop (halt confirmed, bus closed) {halt.Stop.TotalMilliseconds:F1} ms"));
            // What the figures mean: they are the driver's and the machine's share only.
            console.Line(string.Create(c, $"meaning: the driver and this machine would allow a device rate up to {1e6 / us.P99:F0} Hz and make the servos safe {haltMs.P99 / 1e3:F1} ms after a halt (p99); a pseudo-terminal has no baud clock, so on a real {result.BaudRate}-baud line add each period's bytes at 10 bits a byte and every servo's return delay"));
            console.Summary(new JsonObject
            {
                ["protocol"] = result.Protocol,
                ["servos"] = result.Servos,
                ["baud"] = result.BaudRate,
                ["periods"] = result.Transactions,
                ["round_trip_us"] = LoopSummary.Percentiles(result.Transaction),
                ["highest_rate_hz_at_p99"] = 1e6 / us.P99,
                ["thread_cpu_fraction"] = result.CpuFraction,
                ["retries"] = result.Retries,
                ["failures"] = result.Failures,
                ["halts"] = halt.Halts,
                ["halt_confirmed_us"] = LoopSummary.Percentiles(halt.Halt),
                ["stop_ms"] = halt.Stop.TotalMilliseconds,
            });
            return 0;
        }));
        return command;
    }
}
