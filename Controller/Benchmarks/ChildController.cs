using System.Diagnostics;
using System.Text.Json.Nodes;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Benchmarks;

/// <summary>
/// Another <c>controller</c> process running one of its own commands with <c>--json</c>: the clients a
/// benchmark puts against a server are the ones operators run, in processes of their own as they would be.
/// </summary>
public sealed class ChildController : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private readonly string _command;

    private ChildController(Process process, string command)
    {
        _process = process;
        _command = command;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts this executable again with <paramref name="arguments"/> (run as <c>controller</c> or <c>dotnet controller.dll</c>).</summary>
    /// <param name="cpus">
    /// Keep every thread of the child on these CPUs (a taskset list such as "0" or "0-2"); set through taskset(1)
    /// so the runtime's threads inherit it from the start.
    /// </param>
    public static ChildController Start(string? cpus, params string[] arguments)
    {
        var start = ControllerExecutable.StartInfo(arguments, cpus);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return new ChildController(Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}"), arguments.FirstOrDefault() ?? "");
    }

    /// <summary>Waits for it to exit and returns its JSON summary; a failure throws with what it printed on stderr.</summary>
    public async Task<JsonObject> SummaryAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            throw new TimeoutException($"controller {_command} did not finish within {timeout.TotalSeconds:F0} s: {await _stderr}");
        }
        string stdout = await _stdout;
        if (_process.ExitCode != 0)
        {
            throw new IOException($"controller {_command} exited with {_process.ExitCode}: {(await _stderr).Trim()}");
        }
        string last = stdout.TrimEnd().Split('\n')[^1];
        return JsonNode.Parse(last) as JsonObject ?? throw new FormatException($"controller {_command}'s last line is not a JSON summary: {last}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // Its own children too: a coordinating child (bench grpc-clients) runs the clients.
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
