using System.Text.Json;
using Robotics.Tests.Support;

namespace Robotics.Tests.Cli;

/// <summary>
/// `bench grpc` runs three loops one after another in one process, each with a gateway of its own. Every loop must run on
/// the same CPU and every gateway off it: once the first loop had moved the process's other threads off its CPU, the next
/// phases judged "the last CPU allowed" from those threads, put the loaded run's loop on the clients' CPU and its gateway
/// on the loop's, and the benchmark measured that.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class BenchGrpcPlacementTests(SimPolicies policies)
{
    [Fact]
    public async Task Every_run_has_its_loop_on_the_same_cpu_and_the_gateway_off_it()
    {
        using var child = ControllerProcess.Start(["bench", "grpc", "--policy", policies.Reach, "--subscribers", "1", "--json",
            "--quiet-seconds", "1", "--soak-seconds", "5"]);
        int exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(300));

        Assert.True(exit == 0, $"exit code {exit}; stdout:\n{string.Join('\n', child.StdoutLines)}\nstderr: {child.Stderr}");
        var summary = JsonDocument.Parse(child.StdoutLines[^1]).RootElement;
        var runs = summary.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(3, runs.Count);
        var cpus = runs.Select(run => run.GetProperty("pinned_cpu").GetInt32()).ToList();
        Assert.All(cpus, cpu => Assert.Equal(cpus[0], cpu));
        string gatewayCpus = runs[1].GetProperty("clients").GetProperty("gateway_cpus").GetString()!;
        if (Environment.ProcessorCount > 1)
        {
            Assert.DoesNotContain(cpus[0], CpuList(gatewayCpus));
        }
    }

    /// <summary>A kernel CPU list ("0", "0-3", "0,2-3") as its CPUs.</summary>
    private static IEnumerable<int> CpuList(string list) => list.Split(',').SelectMany(range =>
    {
        var ends = range.Split('-').Select(int.Parse).ToArray();
        return Enumerable.Range(ends[0], ends[^1] - ends[0] + 1);
    });
}
