using System.Globalization;
using Robotics.Controller.Loop;
using Robotics.Controller.Timing;

namespace Robotics.Controller.Benchmarks;

/// <summary>The loop benchmark's figures a verdict is drawn from (nanoseconds).</summary>
public sealed record LoopTiming(double MeasuredRateHz, long Ticks, long Overruns, long WatchdogTrips, LatencySummary Lateness, LatencySummary Work)
{
    public static LoopTiming Of(LoopReport report, double measuredRateHz) =>
        new(measuredRateHz, report.Ticks, report.Overruns, report.WatchdogTrips, report.Lateness, report.Work);
}

/// <summary>Whether this machine keeps a control rate.</summary>
/// <param name="Fit">Null when not judged: a rate faster than the one measured, or no tick measured.</param>
/// <param name="ResponseP999Us">Lateness p99.9 + tick work p99.9: how long after its deadline all but 1 tick in 1000 had acted.</param>
/// <param name="LongestStallMs">The longest a tick started after its deadline: how long the loop stood still.</param>
public sealed record RateVerdict(double RateHz, bool? Fit, string Reason, double ResponseP999Us, double LimitUs, double LongestStallMs, double WatchdogTimeoutMs)
{
    /// <summary>"fit for 1 kHz: yes — …".</summary>
    public string Line => $"fit for {LoopFitness.Rate(RateHz)}: {(Fit switch { true => "yes", false => "no", null => "not judged" })} — {Reason}";
}

/// <summary>
/// What a loop benchmark's figures mean for a robot: is this machine fit to run the loop at a rate? Fit when both hold:
/// <list type="bullet">
/// <item>all but 1 tick in 1000 act within half a period of their deadline: lateness p99.9 + tick work p99.9 ≤ period / 2
/// (the sum of the two p99.9s bounds the p99.8 of their sum, so it errs on the safe side). Half, not all of it: a null
/// robot's reads and writes cost nothing, a real robot's devices and recorder share the machine, and seconds of
/// running do not show the worst an hour brings;</item>
/// <item>no stall would have made the watchdog halt the robot: the longest lateness is under the rate's watchdog timeout
/// (<see cref="LoopOptions.EffectiveWatchdogTimeout"/>: 10 periods, at least 50 ms), and at the rate measured it did
/// not trip.</item>
/// </list>
/// A rate slower than the one measured is judged on the same figures (its longer period only adds room); a faster one is
/// not judged, since its ticks were not measured.
/// </summary>
public static class LoopFitness
{
    /// <summary>The share of a period the loop may take, deadline to action, at p99.9.</summary>
    public const double PeriodShare = 0.5;

    /// <summary>The rates judged besides the one measured: a fast arm's and a typical robot's.</summary>
    public static readonly IReadOnlyList<double> CommonRates = [1000, 100];

    /// <summary>The rate measured and the common ones, fastest first.</summary>
    public static IReadOnlyList<RateVerdict> Judge(LoopTiming timing) =>
        [.. CommonRates.Prepend(timing.MeasuredRateHz).Distinct().OrderDescending().Select(rate => JudgeRate(rate, timing))];

    public static RateVerdict JudgeRate(double rateHz, LoopTiming timing)
    {
        double periodNs = 1e9 / rateHz;
        double limitNs = periodNs * PeriodShare;
        double responseNs = timing.Lateness.P999 + timing.Work.P999;
        double stallNs = timing.Lateness.Max;
        double watchdogNs = new LoopOptions { RateHz = rateHz }.EffectiveWatchdogTimeout.TotalMilliseconds * 1e6;
        RateVerdict Verdict(bool? fit, string reason) => new(rateHz, fit, reason, responseNs / 1e3, limitNs / 1e3, stallNs / 1e6, watchdogNs / 1e6);

        if (timing.Ticks == 0 || timing.Lateness.Count == 0)
        {
            return Verdict(null, "no tick was measured");
        }
        if (rateHz > timing.MeasuredRateHz)
        {
            return Verdict(null, $"this run was at {Rate(timing.MeasuredRateHz)}: measure with --rate {rateHz.ToString(CultureInfo.InvariantCulture)}");
        }
        bool measured = rateHz == timing.MeasuredRateHz;
        bool slow = responseNs > limitNs;
        bool tripped = measured && timing.WatchdogTrips > 0;
        bool stalled = tripped || stallNs >= watchdogNs;
        string limit = $"the limit is {Duration(limitNs)}, half the {Duration(periodNs)} period";
        var reasons = new List<string>
        {
            slow
                ? $"1 tick in 1000 took over {Duration(responseNs)} from its deadline to its action; {limit}"
                : $"999 ticks in 1000 acted within {Duration(responseNs)} of their deadline; {limit}",
        };
        if (tripped)
        {
            reasons.Add($"the watchdog halted the robot {timing.WatchdogTrips} time{(timing.WatchdogTrips == 1 ? "" : "s")} (the loop stood still for up to {Duration(stallNs)}; it allows {Duration(watchdogNs)})");
        }
        else if (stalled)
        {
            reasons.Add($"the loop stood still for {Duration(stallNs)}: at this rate the watchdog halts the robot after {Duration(watchdogNs)}");
        }
        if (measured && timing.Overruns > 0)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{100.0 * timing.Overruns / timing.Ticks:0.###} % of ticks ran past their period"));
        }
        return Verdict(!(slow || stalled), string.Join("; ", reasons));
    }

    /// <summary>1 kHz, 100 Hz, 250 Hz.</summary>
    public static string Rate(double hz) => hz >= 1000 && hz % 1000 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{hz / 1000:0} kHz")
        : string.Create(CultureInfo.InvariantCulture, $"{hz:0.##} Hz");

    /// <summary>1.3 µs, 850 µs, 2.5 ms, 947 ms.</summary>
    public static string Duration(double ns) => ns switch
    {
        < 1e4 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:0.##} µs"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:0} µs"),
        < 1e7 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0.#} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0} ms"),
    };
}
