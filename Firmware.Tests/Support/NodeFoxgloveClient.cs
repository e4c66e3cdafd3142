using System.Diagnostics;
using System.Text.Json;

namespace Robotics.Tests.Support;

/// <summary>
/// Runs Firmware.Tests/foxglove-client/client.mjs with node: Foxglove's own protocol library (@foxglove/ws-protocol)
/// and protobufjs, connecting to a live robot's Foxglove server as the Foxglove app would, and summing up what it got.
/// </summary>
public static class NodeFoxgloveClient
{
    public static async Task<JsonElement> RunAsync(string url, string subprotocol, double seconds, params string[] options)
    {
        string directory = Path.Combine(RepoPaths.Root, "Firmware.Tests", "foxglove-client");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules")),
            $"{directory}/node_modules is missing: run `npm ci --prefix Firmware.Tests/foxglove-client` (.ci/run does)");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "client.mjs"), url, subprotocol, "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = Waits.Patience + TimeSpan.FromSeconds(seconds);
        using var patience = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"the Foxglove client ({url}, {subprotocol}) did not finish within {limit}");
        }
        Assert.True(process.ExitCode == 0, $"the Foxglove client failed: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }
}
