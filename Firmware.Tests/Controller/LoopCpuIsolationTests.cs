using System.Diagnostics;
using Robotics.Tests.Support;

namespace Robotics.Tests.Controller;

/// <summary>
/// A real-time loop has its CPU to itself within the controller process: checked on a `controller run` child
/// process (so the test host keeps all its CPUs) through /proc, as an engineer would check it with ps or taskset.
/// </summary>
public sealed class LoopCpuIsolationTests
{
    [Fact]
    public async Task The_loop_thread_is_pinned_and_every_other_thread_of_the_process_runs_elsewhere()
    {
        var start = new ProcessStartInfo("dotnet",
            [RepoPaths.ControllerDll, "run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "30s",
             "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var controller = Process.Start(start)!;
        try
        {
            // The server binds before the loop's first tick; an episode's end says the loop is up and ticking, its
            // thread set up (pinned, and the others moved) before the first tick.
            var ticking = new TaskCompletionSource();
            controller.OutputDataReceived += (_, line) =>
            {
                if (line.Data?.StartsWith("episode 1:", StringComparison.Ordinal) == true)
                {
                    ticking.TrySetResult();
                }
            };
            controller.BeginOutputReadLine();
            await ticking.Task.WaitAsync(TimeSpan.FromSeconds(60));

            var threads = Directory.EnumerateDirectories($"/proc/{controller.Id}/task")
                .Select(task => (Name: File.ReadAllText(Path.Combine(task, "comm")).Trim(), Cpus: AllowedCpus(task)))
                .ToList();
            var loop = Assert.Single(threads, t => t.Name == "control-loop");
            int loopCpu = Assert.Single(loop.Cpus);
            Assert.Equal(Environment.ProcessorCount - 1, loopCpu);
            if (Environment.ProcessorCount > 1)
            {
                var sharing = threads.Where(t => t.Name != "control-loop" && t.Cpus.Contains(loopCpu)).Select(t => t.Name).ToList();
                Assert.True(sharing.Count == 0, $"threads that may still run on the loop's CPU {loopCpu}: {string.Join(", ", sharing)}");
                Assert.True(threads.Count > 10, "the process has its server and runtime threads");
            }
        }
        finally
        {
            controller.Kill();
            await controller.WaitForExitAsync();
        }
    }

    /// <summary>The CPUs in a thread's Cpus_allowed_list (e.g. "0-2,5").</summary>
    private static int[] AllowedCpus(string task)
    {
        string list = File.ReadLines(Path.Combine(task, "status")).Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();
        return [.. list.Split(',').SelectMany(range =>
        {
            var bounds = range.Split('-').Select(int.Parse).ToArray();
            return Enumerable.Range(bounds[0], bounds[^1] - bounds[0] + 1);
        })];
    }
}
