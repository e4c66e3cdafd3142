using System.Globalization;

namespace Robotics.Controller.Benchmarks;

/// <summary>
/// What a log benchmark's figures mean for a control loop: does recording keep up with it, and what does a tick's
/// hand-off to the recorder cost it? Run as fast as it goes, judged against a 1 kHz loop (the fastest common rate);
/// paced, against the rate it ran at, where any dropped step means the log would have gaps.
/// </summary>
public static class LogVerdict
{
    /// <summary>The loop rate a throughput run is judged against.</summary>
    public const double ReferenceRateHz = 1000;

    /// <param name="codec">The codec's name as the command spells it.</param>
    /// <param name="rateHz">The rate the run was paced at, or 0 for as fast as it goes.</param>
    public static string Describe(LogBenchmarkResult result, string codec, double rateHz)
    {
        var c = CultureInfo.InvariantCulture;
        double loopRate = rateHz > 0 ? rateHz : ReferenceRateHz;
        string rate = LoopFitness.Rate(loopRate);
        string cost = string.Create(c, $"a tick's hand-off costs {LoopFitness.Duration(result.AppendNs.P999)} at p99.9, {100 * result.AppendNs.P999 * loopRate / 1e9:0.##} % of its period");
        if (rateHz > 0)
        {
            return result.DroppedSteps == 0
                ? string.Create(c, $"{codec} at {rate}: keeps up, no step dropped; {cost}")
                : string.Create(c, $"{codec} at {rate}: does not keep up, {result.DroppedSteps} of {result.Steps} steps dropped (the log would have gaps): try --codec lz4 or none, or a faster disk");
        }
        double times = result.StepsPerSecond / loopRate;
        return times >= 1
            ? string.Create(c, $"{codec}: keeps up with a {rate} loop {times:0}× over ({result.StepsPerSecond:0} steps/s to disk); {cost}")
            : string.Create(c, $"{codec}: does not keep up with a {rate} loop ({result.StepsPerSecond:0} steps/s to disk): try --codec lz4 or none, or a faster disk");
    }
}
