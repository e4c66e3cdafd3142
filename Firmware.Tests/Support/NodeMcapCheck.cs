using System.Diagnostics;
using System.Text.Json;

namespace Robotics.Tests.Support;

/// <summary>Runs Firmware.Tests/mcap-reference/check.mjs (the reference TypeScript MCAP reader) on a file.</summary>
public static class NodeMcapCheck
{
    public static JsonElement Run(string mcapPath)
    {
        string modules = Path.Combine(Path.GetDirectoryName(RepoPaths.McapCheckScript)!, "node_modules");
        Assert.True(Directory.Exists(modules), $"{modules} is missing: run `npm ci --prefix Firmware.Tests/mcap-reference` (.ci/run does)");
        var start = new ProcessStartInfo("node", [RepoPaths.McapCheckScript, mcapPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "node check timed out");
        Assert.True(process.ExitCode == 0, $"@mcap/core rejected {mcapPath}: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }
}
