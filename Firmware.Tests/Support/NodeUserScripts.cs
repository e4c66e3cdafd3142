using System.Diagnostics;
using System.Text.Json;

namespace Robotics.Tests.Support;

/// <summary>
/// Runs Firmware.Tests/foxglove-layout/run-script.mjs with node: a Foxglove layout's User Scripts type-checked and
/// compiled by TypeScript as the Foxglove app does, then run on every message of their input topics in recordings.
/// </summary>
public static class NodeUserScripts
{
    /// <summary>The scripts' outputs; fails the test with node's error when a script does not type-check, compile or run.</summary>
    public static JsonElement Run(string layoutPath, params string[] recordings)
    {
        var (exitCode, stdout, stderr) = Node(layoutPath, recordings);
        Assert.True(exitCode == 0, $"the layout's User Script failed under node: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>What node said on stderr when it refused the scripts; fails the test if it ran them.</summary>
    public static string Refusal(string layoutPath, params string[] recordings)
    {
        var (exitCode, _, stderr) = Node(layoutPath, recordings);
        Assert.True(exitCode != 0, "node ran the layout's User Script");
        return stderr;
    }

    private static (int ExitCode, string Stdout, string Stderr) Node(string layoutPath, string[] recordings)
    {
        string directory = Path.Combine(RepoPaths.Root, "Firmware.Tests", "foxglove-layout");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules")),
            $"{directory}/node_modules is missing: run `npm ci --prefix Firmware.Tests/foxglove-layout` (.ci/run does)");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "run-script.mjs"), layoutPath, .. recordings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Waits.Patience))
        {
            process.Kill();
            Assert.Fail($"node run-script.mjs did not finish within {Waits.Patience}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
