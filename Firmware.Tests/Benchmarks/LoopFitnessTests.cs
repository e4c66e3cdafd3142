using Robotics.Controller.Benchmarks;
using Robotics.Controller.Timing;

namespace Robotics.Tests.Benchmarks;

/// <summary>The loop benchmark's verdict, from synthetic lateness and tick-work distributions.</summary>
public sealed class LoopFitnessTests
{
    /// <summary>
    /// <paramref name="count"/> ticks of <paramref name="typicalNs"/>, of which <paramref name="slowTicks"/> took
    /// <paramref name="slowNs"/> instead.
    /// </summary>
    private static LatencySummary Distribution(int count, long typicalNs, int slowTicks = 0, long slowNs = 0)
    {
        var histogram = new LatencyHistogram();
        for (int i = 0; i < count; i++)
        {
            histogram.Record(i < slowTicks ? slowNs : typicalNs);
        }
        return histogram.Summarize();
    }

    private static LoopTiming Timing(double rateHz, LatencySummary lateness, LatencySummary work, long overruns = 0, long watchdogTrips = 0) =>
        new(rateHz, lateness.Count, overruns, watchdogTrips, lateness, work);

    [Fact]
    public void A_quiet_machine_is_fit_for_1_kHz_and_100_Hz()
    {
        var timing = Timing(1000, Distribution(10_000, 15_000), Distribution(10_000, 7_000));

        var verdicts = LoopFitness.Judge(timing);

        Assert.Equal([1000.0, 100.0], verdicts.Select(v => v.RateHz));
        Assert.All(verdicts, v => Assert.True(v.Fit, v.Line));
        Assert.StartsWith("fit for 1 kHz: yes — 999 ticks in 1000 acted within 22 µs of their deadline; the limit is 500 µs, half the 1 ms period", verdicts[0].Line, StringComparison.Ordinal);
        Assert.StartsWith("fit for 100 Hz: yes — ", verdicts[1].Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Ticks_late_by_more_than_half_a_period_in_more_than_1_in_1000_rule_out_1_kHz_but_not_100_Hz()
    {
        // 0.3 % of ticks start 700 µs late: over half a 1 ms period, well within half of 10 ms.
        var timing = Timing(1000, Distribution(10_000, 15_000, slowTicks: 30, slowNs: 700_000), Distribution(10_000, 7_000), overruns: 30);

        var verdicts = LoopFitness.Judge(timing);

        Assert.False(verdicts[0].Fit, verdicts[0].Line);
        Assert.Contains("1 tick in 1000 took over", verdicts[0].Reason, StringComparison.Ordinal);
        Assert.Contains("0.3 % of ticks ran past their period", verdicts[0].Reason, StringComparison.Ordinal);
        Assert.True(verdicts[1].Fit, verdicts[1].Line);
        Assert.DoesNotContain("ran past", verdicts[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void One_tick_in_ten_thousand_late_stays_under_the_p99_9_rule()
    {
        var timing = Timing(1000, Distribution(10_000, 15_000, slowTicks: 1, slowNs: 900_000), Distribution(10_000, 7_000), overruns: 0);

        Assert.True(LoopFitness.JudgeRate(1000, timing).Fit);
    }

    [Fact]
    public void A_watchdog_trip_at_the_rate_measured_rules_it_out()
    {
        // The loaded machine: a 947 ms stall, two trips. Fast at p99.9, but the robot would have been halted.
        var timing = Timing(1000, Distribution(10_000, 15_000, slowTicks: 2, slowNs: 947_000_000), Distribution(10_000, 7_000), overruns: 2, watchdogTrips: 2);

        var verdict = LoopFitness.JudgeRate(1000, timing);

        Assert.False(verdict.Fit);
        Assert.Contains("the watchdog halted the robot 2 times", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("50 ms", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stall_past_a_slower_rates_watchdog_rules_that_rate_out_too()
    {
        // At 100 Hz the watchdog allows 10 periods, 100 ms: a 947 ms stall would still halt the robot; a 60 ms one would not.
        var long_ = Timing(1000, Distribution(10_000, 15_000, slowTicks: 1, slowNs: 947_000_000), Distribution(10_000, 7_000), watchdogTrips: 1);
        var short_ = Timing(1000, Distribution(10_000, 15_000, slowTicks: 1, slowNs: 60_000_000), Distribution(10_000, 7_000), watchdogTrips: 1);

        var stalled = LoopFitness.JudgeRate(100, long_);
        Assert.False(stalled.Fit);
        Assert.Contains("the watchdog halts the robot after 100 ms", stalled.Reason, StringComparison.Ordinal);
        Assert.True(LoopFitness.JudgeRate(100, short_).Fit);
        Assert.False(LoopFitness.JudgeRate(1000, short_).Fit);
    }

    [Fact]
    public void Slow_tick_work_counts_as_much_as_late_wake_ups()
    {
        // Wakes on time, but inference takes 600 µs: the action is out past half the period.
        var timing = Timing(1000, Distribution(10_000, 15_000), Distribution(10_000, 600_000));

        Assert.False(LoopFitness.JudgeRate(1000, timing).Fit);
    }

    [Fact]
    public void A_rate_faster_than_the_one_measured_is_not_judged()
    {
        var timing = Timing(100, Distribution(1_000, 15_000), Distribution(1_000, 7_000));

        var verdicts = LoopFitness.Judge(timing);

        Assert.Equal([1000.0, 100.0], verdicts.Select(v => v.RateHz));
        Assert.Null(verdicts[0].Fit);
        Assert.Equal("fit for 1 kHz: not judged — this run was at 100 Hz: measure with --rate 1000", verdicts[0].Line);
        Assert.True(verdicts[1].Fit);
    }

    [Fact]
    public void Another_rate_asked_is_judged_with_the_common_ones()
    {
        var timing = Timing(250, Distribution(2_500, 15_000), Distribution(2_500, 7_000));

        Assert.Equal([1000.0, 250.0, 100.0], LoopFitness.Judge(timing).Select(v => v.RateHz));
        Assert.StartsWith("fit for 250 Hz: yes", LoopFitness.JudgeRate(250, timing).Line, StringComparison.Ordinal);
    }

    [Fact]
    public void No_tick_measured_is_not_judged()
    {
        Assert.Null(LoopFitness.JudgeRate(100, Timing(100, default, default)).Fit);
    }
}
