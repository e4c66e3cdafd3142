using System.Diagnostics;

namespace Robotics.Tests.Support;

/// <summary>
/// Runs the scripts of Firmware.Tests/datasets with node: DuckDB (@duckdb/node-api), a Parquet writer and reader that is
/// not ours, making LeRobot-layout fixtures at test time rather than binary files in git.
/// </summary>
public static class NodeDuckDb
{
    /// <summary>make-lerobot.mjs: a low-dimensional LeRobot dataset at <paramref name="root"/> (its options as the script's usage says).</summary>
    public static void MakeLeRobot(string root, params string[] options) => Node("make-lerobot.mjs", [root, .. options]);

    private static void Node(string script, params string[] args)
    {
        string directory = Path.Combine(RepoPaths.Root, "Firmware.Tests", "datasets");
        string modules = Path.Combine(directory, "node_modules");
        Assert.True(Directory.Exists(modules), $"{modules} is missing: run `npm ci --prefix Firmware.Tests/datasets` (.ci/run does)");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, script), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(120)), $"node {script} timed out");
        Assert.True(process.ExitCode == 0, $"DuckDB failed ({script} {string.Join(' ', args)}): {stderr.Result}");
    }
}
