using System.Diagnostics;
using Robotics.Tests.Support;

namespace Robotics.Tests.Cli;

/// <summary>A tool the command needs and the machine lacks is one line naming it and how to install it, not a stack trace.</summary>
public sealed class MissingPrerequisiteTests
{
    [Fact]
    public async Task Bench_servos_without_socat_says_to_install_it_in_one_line()
    {
        string dotnet = FindOnPath("dotnet");
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        // A PATH with nothing on it: socat cannot be found, whether or not this machine has it.
        start.Environment["PATH"] = "/nonexistent";
        foreach (string argument in new[] { RepoPaths.ControllerDll, "bench", "servos", "--seconds", "1" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(1, process.ExitCode);
        Assert.Equal("error: socat is not installed: the emulated serial lines are pseudo-terminal pairs it makes (apt-get install socat)", stderr.Trim());
        Assert.DoesNotContain("Exception", await stdout);
    }

    private static string FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{program} is not on PATH");
}
