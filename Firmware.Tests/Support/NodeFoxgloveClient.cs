using System.Diagnostics;
using System.Text.Json;

namespace Robotics.Tests.Support;

/// <summary>
/// Runs Firmware.Tests/foxglove-client/client.mjs with node: Foxglove's own protocol library (@foxglove/ws-protocol)
/// and protobufjs, connecting to a live robot's Foxglove server as the Foxglove app would, and summing up what it got.
/// </summary>
public sealed class NodeFoxgloveClient : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly TimeSpan _limit;
    private readonly string _url;

    private NodeFoxgloveClient(Process process, TimeSpan limit, string url)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        _limit = limit;
        _url = url;
    }

    public static async Task<JsonElement> RunAsync(string url, string subprotocol, double seconds, params string[] options)
    {
        using var client = Start(url, subprotocol, seconds, options);
        return await client.SummaryAsync();
    }

    /// <summary>Starts the client; read its lines with <see cref="WaitForFirstStepAsync"/> (with --until-closed) and <see cref="SummaryAsync"/>.</summary>
    public static NodeFoxgloveClient Start(string url, string subprotocol, double seconds, params string[] options)
    {
        string directory = Path.Combine(RepoPaths.Root, "Firmware.Tests", "foxglove-client");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules")),
            $"{directory}/node_modules is missing: run `npm ci --prefix Firmware.Tests/foxglove-client` (.ci/run does)");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "client.mjs"), url, subprotocol, "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), .. options])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return new NodeFoxgloveClient(Process.Start(start)!, Waits.Patience + TimeSpan.FromSeconds(seconds), url);
    }

    /// <summary>Waits for the line --until-closed prints when the first step arrives.</summary>
    public async Task WaitForFirstStepAsync()
    {
        using var patience = new CancellationTokenSource(_limit);
        string? line = await _process.StandardOutput.ReadLineAsync(patience.Token);
        Assert.True(line == """{"firstStep":true}""", $"the Foxglove client ({_url}) got no step: {line ?? await _stderr}");
    }

    /// <summary>The summary the client prints last, once it has finished.</summary>
    public async Task<JsonElement> SummaryAsync()
    {
        var stdout = _process.StandardOutput.ReadToEndAsync();
        using var patience = new CancellationTokenSource(_limit);
        try
        {
            await _process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            Assert.Fail($"the Foxglove client ({_url}) did not finish within {_limit}");
        }
        Assert.True(_process.ExitCode == 0, $"the Foxglove client failed: {await _stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
    }
}
