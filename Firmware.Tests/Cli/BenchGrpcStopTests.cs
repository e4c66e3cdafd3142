using System.Text.Json;
using Robotics.Tests.Support;

namespace Robotics.Tests.Cli;

/// <summary>
/// `bench grpc` runs for minutes when asked for a soak; Ctrl+C or SIGTERM must end it with what it measured so far,
/// said once, and an exit code that says a signal stopped it. A real controller process gets the real signal.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class BenchGrpcStopTests(SimPolicies policies)
{
    [Theory]
    // In the loaded run, its clients starting: stopped, it used to repeat its memory line for as long as the clients lived.
    [InlineData("TERM", "loaded: ", 143, 2)]
    [InlineData("INT", "quiet: ", 130, 1)]
    public async Task A_signal_ends_the_benchmark_with_one_summary_of_what_ran(string signal, string progress, int exitCode, int runs)
    {
        // Runs far longer than the test waits: only the signal can end them.
        using var child = ControllerProcess.Start(["bench", "grpc", "--policy", policies.Reach, "--subscribers", "1", "--no-realtime", "--json",
            "--quiet-seconds", runs == 1 ? "600" : "1", "--soak-seconds", "600"]);
        await child.WaitForLineAsync(line => line.Contains(progress, StringComparison.Ordinal), TimeSpan.FromSeconds(120));

        child.Signal(signal);
        int exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == exitCode, $"exit code {exit} after SIG{signal}; stdout:\n{string.Join('\n', child.StdoutLines)}\nstderr: {child.Stderr}");
        var lines = child.StdoutLines;
        Assert.True(lines.Distinct().Count() == lines.Count, "a line was repeated:\n" + string.Join('\n', lines));
        Assert.Single(lines, line => line.StartsWith($"stopped early by SIG{signal}, ", StringComparison.Ordinal));
        Assert.Single(lines, line => line.StartsWith("run ", StringComparison.Ordinal));
        Assert.DoesNotContain("error", child.Stderr, StringComparison.OrdinalIgnoreCase);
        var summary = JsonDocument.Parse(lines[^1]).RootElement;
        Assert.Equal("SIG" + signal, summary.GetProperty("stopped_by").GetString());
        var measured = summary.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(runs, measured.Count);
        Assert.True(measured[^1].GetProperty("stopped_early").GetBoolean());
        Assert.All(measured[..^1], run => Assert.False(run.GetProperty("stopped_early").GetBoolean()));
        Assert.True(measured[0].GetProperty("ticks").GetInt64() > 0);
    }
}
