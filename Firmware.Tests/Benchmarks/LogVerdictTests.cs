using Robotics.Controller.Benchmarks;
using Robotics.Protos.Mcap;

namespace Robotics.Tests.Benchmarks;

/// <summary>What a log benchmark's figures mean for a control loop, from synthetic results.</summary>
public sealed class LogVerdictTests
{
    private static LogBenchmarkResult Result(double stepsPerSecond, double appendP999Ns, long dropped = 0) =>
        new(McapCompression.Zstd, 20_000, new SampleStatistics(100, 500, appendP999Ns, 5_000, 20_000), 0, stepsPerSecond, 60, 1_000_000, 2, 1, dropped, 1);

    [Fact]
    public void A_throughput_run_says_how_many_times_over_it_keeps_up_with_a_1_kHz_loop()
    {
        Assert.Equal("zstd: keeps up with a 1 kHz loop 250× over (250000 steps/s to disk); a tick's hand-off costs 1.3 µs at p99.9, 0.13 % of its period",
            LogVerdict.Describe(Result(250_000, 1_300), "zstd", rateHz: 0));
    }

    [Fact]
    public void A_throughput_run_slower_than_1_kHz_says_it_does_not_keep_up()
    {
        Assert.StartsWith("zstd: does not keep up with a 1 kHz loop (600 steps/s to disk)", LogVerdict.Describe(Result(600, 1_300), "zstd", rateHz: 0), StringComparison.Ordinal);
    }

    [Fact]
    public void A_paced_run_keeps_up_only_without_a_dropped_step()
    {
        Assert.Equal("zstd at 1 kHz: keeps up, no step dropped; a tick's hand-off costs 20 µs at p99.9, 1.96 % of its period",
            LogVerdict.Describe(Result(1_000, 19_600), "zstd", rateHz: 1000));
        Assert.StartsWith("zstd at 500 Hz: does not keep up, 42 of 20000 steps dropped (the log would have gaps)",
            LogVerdict.Describe(Result(1_000, 19_600, dropped: 42), "zstd", rateHz: 500), StringComparison.Ordinal);
    }
}
