using System.Diagnostics;

namespace Robotics.Tests.Support;

/// <summary>Runs a node script of one of Firmware.Tests' npm folders (installed by .ci/run's <c>npm ci</c>) and returns what it printed.</summary>
public static class NodeScripts
{
    /// <param name="folder">The npm folder under Firmware.Tests, e.g. <c>datasets</c>.</param>
    /// <param name="tool">What the script stands for, for the failure message (e.g. <c>DuckDB</c>).</param>
    public static string Run(string folder, string tool, string script, params string[] args)
    {
        string directory = Path.Combine(RepoPaths.Root, "Firmware.Tests", folder);
        string modules = Path.Combine(directory, "node_modules");
        Assert.True(Directory.Exists(modules), $"{modules} is missing: run `npm ci --prefix Firmware.Tests/{folder}` (.ci/run does)");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, script), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), $"node {script} timed out");
        Assert.True(process.ExitCode == 0, $"{tool} failed ({script} {string.Join(' ', args.Take(3))}): {stderr.Result}");
        return stdout.Result;
    }
}
