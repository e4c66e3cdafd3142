using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Loop;
using Robotics.Controller.Timing;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary>Prints a loop's report for people and as JSON.</summary>
/// <remarks>
/// With <c>robot: false</c> (a benchmark's null robot) the figures that only mean something for a robot are left out:
/// its episodes (a null robot's one episode is aborted when the run ends: a "success rate 0.0 %" that says nothing)
/// and the recording it has none of.
/// </remarks>
internal static class LoopSummary
{
    private static readonly string[] RobotOnly = ["episodes", "successes", "failures", "aborted", "success_rate", "recorder_dropped_steps"];

    public static void Print(CommandOutput console, LoopReport report, bool paced, bool robot = true)
    {
        var c = CultureInfo.InvariantCulture;
        string cpu = report.PinnedCpu is int pinned ? string.Create(c, $" on CPU {pinned}") : "";
        console.Line(string.Create(c, $"ticks      {report.Ticks} in {report.Seconds:F2} s, achieved {report.AchievedRateHz:F1} Hz{cpu}; overruns {report.Overruns} ({report.SkippedSlots} slots skipped)"));
        if (robot && report.Episodes > 0)
        {
            console.Line(string.Create(c, $"episodes   {report.Episodes}: success {report.Successes}, failure {report.Failures}, aborted {report.Aborted} (success rate {report.SuccessRate:P1})"));
        }
        if (paced)
        {
            console.Line(Row("lateness", report.Lateness));
        }
        if (report.Inference.Count > 0)
        {
            console.Line(Row("inference", report.Inference));
        }
        console.Line(Row("tick work", report.Work));
        string allocation = double.IsNaN(report.AllocatedBytesPerTick)
            ? "allocation not measured (fewer ticks than the warm-up)"
            : string.Create(c, $"{report.AllocatedBytesPerTick:F2} bytes allocated per tick");
        string recorder = robot ? $"recorder dropped {report.RecorderDroppedSteps} steps; " : "";
        console.Line(string.Create(c, $"faults     {report.Faults}; watchdog trips {report.WatchdogTrips}; {recorder}{allocation}; {report.GarbageCollections} GCs"));
    }

    public static JsonObject Json(LoopReport report, bool robot = true)
    {
        var json = All(report);
        if (!robot)
        {
            foreach (string name in RobotOnly)
            {
                json.Remove(name);
            }
        }
        return json;
    }

    private static JsonObject All(LoopReport report) => new()
    {
        ["ticks"] = report.Ticks,
        ["seconds"] = report.Seconds,
        ["achieved_rate_hz"] = report.AchievedRateHz,
        ["episodes"] = report.Episodes,
        ["successes"] = report.Successes,
        ["failures"] = report.Failures,
        ["aborted"] = report.Aborted,
        ["success_rate"] = report.SuccessRate,
        ["overruns"] = report.Overruns,
        ["skipped_slots"] = report.SkippedSlots,
        ["faults"] = report.Faults,
        ["watchdog_trips"] = report.WatchdogTrips,
        ["lateness_us"] = Percentiles(report.Lateness),
        ["read_us"] = Percentiles(report.Read),
        ["inference_us"] = Percentiles(report.Inference),
        ["work_us"] = Percentiles(report.Work),
        ["allocated_bytes_per_tick"] = double.IsNaN(report.AllocatedBytesPerTick) ? null : report.AllocatedBytesPerTick,
        ["recorder_dropped_steps"] = report.RecorderDroppedSteps,
        ["garbage_collections"] = report.GarbageCollections,
        ["pinned_cpu"] = report.PinnedCpu,
        ["notes"] = new JsonArray([.. report.Notes.Select(n => (JsonNode)n)]),
    };

    public static JsonObject Percentiles(LatencySummary summary)
    {
        var us = summary.InMicroseconds();
        return new JsonObject { ["p50"] = us.P50, ["p99"] = us.P99, ["p999"] = us.P999, ["max"] = us.Max, ["count"] = summary.Count };
    }

    private static string Row(string name, LatencySummary summary)
    {
        var us = summary.InMicroseconds();
        return string.Create(CultureInfo.InvariantCulture, $"{name,-10} p50 {us.P50,8:F1} µs  p99 {us.P99,8:F1} µs  p99.9 {us.P999,8:F1} µs  max {us.Max,8:F1} µs");
    }
}
