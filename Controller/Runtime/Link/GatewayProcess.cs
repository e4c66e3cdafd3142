using System.Diagnostics;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Link;

/// <summary>
/// The gateway process <c>controller run --grpc</c> starts beside its loop, and supervises: its lines reach the run's
/// own output (so both land in one journal), and if it dies while the loop runs it is started again, on the address it
/// had, and reattaches (the loop meanwhile falls back as its staleness rule says). The loop process itself never
/// serves a socket. Stopping the run stops the gateway: it sees the link marked stopped and exits; a gateway slow to go
/// gets SIGTERM, then SIGKILL.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    /// <summary>How long the first start may take (a cold start on a Raspberry Pi JIT-compiles Kestrel) before the run gives up.</summary>
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan[] RestartDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly LinkSegments _segments;
    private readonly string? _robot;
    private readonly int? _avoidCpu;
    private readonly ServerOptions _server;
    private readonly CommandOutput _console;
    private readonly CancellationTokenSource _stopping = new();
    private Process _process;
    private Task? _supervision;
    private bool _serving;
    private string? _firstError;

    private GatewayProcess(LinkSegments segments, string? robot, int? avoidCpu, ServerOptions server, CommandOutput console)
    {
        _segments = segments;
        _robot = robot;
        _avoidCpu = avoidCpu;
        _server = server;
        _console = console;
        _process = Launch(server.Url);
    }

    /// <summary>Where the gateway serves (with the port it got, when asked for port 0).</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1");

    public int Pid => _process.Id;

    /// <summary>Times the gateway was started again after it died.</summary>
    public int Restarts { get; private set; }

    /// <summary>Starts the gateway and waits until it serves; a gateway that cannot (a port taken, a bad certificate) fails the run with its own error.</summary>
    /// <param name="robot">The robot as the command line named it, for the gateway to check the link against; null for a robot with no such name (a benchmark's).</param>
    /// <param name="avoidCpu">The CPU the loop is pinned to, which the gateway keeps off; null when the loop is not pinned.</param>
    public static async Task<GatewayProcess> StartAsync(LinkSegments segments, string? robot, int? avoidCpu, ServerOptions server, CommandOutput console)
    {
        var child = new GatewayProcess(segments, robot, avoidCpu, server, console);
        try
        {
            child.Address = await child.WaitUntilServingAsync(StartPatience);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
        child._supervision = child.SuperviseAsync();
        return child;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            if (_supervision is not null)
            {
                await _supervision;
            }
        }
        finally
        {
            await StopAsync(_process);
            _stopping.Dispose();
        }
    }

    private Process Launch(Uri url)
    {
        string[] check = _robot is null ? [] : ["--robot", _robot];
        string[] placement = _avoidCpu is int cpu ? ["--avoid-cpu", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];
        var start = ControllerExecutable.StartInfo(["gateway", "--link", _segments.Path, .. check, .. placement, "--supervised", .. _server.GatewayArguments(url)]);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new IOException($"could not start the gateway ({start.FileName})");
        _serving = false;
        _firstError = null;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                _console.Line("gateway: " + line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) => OnError(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // The token through a pipe, not the command line: a process list shows arguments to every user.
        try
        {
            process.StandardInput.WriteLine(_server.Token);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited already: its exit says why, to whoever waits for it.
        }
        return process;
    }

    /// <summary>
    /// The gateway's problems: relayed as they come once it serves; before that, the first is kept for the error the
    /// start fails with (one line, not the gateway's and the run's both).
    /// </summary>
    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }
        if (Volatile.Read(ref _serving))
        {
            _console.Problem("gateway: " + line);
        }
        else
        {
            Interlocked.CompareExchange(ref _firstError, line, null);
        }
    }

    /// <summary>The address the gateway publishes once it serves; throws when it exits first or takes too long.</summary>
    private async Task<Uri> WaitUntilServingAsync(TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            // A copy, read with pread: the gateway may be rewriting its presence, or have cut its file short.
            var presence = _segments.GatewayReader.ReadPresence();
            if (presence.Pid == _process.Id && presence.Address.Read() is { Length: > 0 } address && Uri.TryCreate(address, UriKind.Absolute, out var url))
            {
                Volatile.Write(ref _serving, true);
                return url;
            }
            if (_process.HasExited)
            {
                // Its error output is read to the end before the exit is reported done.
                await _process.WaitForExitAsync();
                string why = _firstError is { } error ? error.StartsWith("error: ", StringComparison.Ordinal) ? error["error: ".Length..] : error : $"it exited with code {_process.ExitCode}";
                throw new IOException($"the gateway could not start: {why}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the gateway did not serve within {patience.TotalSeconds:F0} s");
            }
            await Task.Delay(10, _stopping.Token);
        }
    }

    private async Task SuperviseAsync()
    {
        while (true)
        {
            try
            {
                await _process.WaitForExitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_segments.State == LinkState.Stopped)
            {
                return;
            }
            var delay = RestartDelays[Math.Min(Restarts, RestartDelays.Length - 1)];
            _console.Warning($"the gateway (process {_process.Id}) exited with code {_process.ExitCode}; starting it again in {delay.TotalSeconds:0.#} s (the loop goes on; an operator's override falls back as --stale-after and --fallback say)");
            try
            {
                await Task.Delay(delay, _stopping.Token);
                Restarts++;
                // On the address it had: clients reconnect where they were.
                _process.Dispose();
                _process = Launch(Address);
                await WaitUntilServingAsync(StartPatience);
                _console.Line($"gateway restarted (process {_process.Id}); gRPC listening on {Address}");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (TimeoutException e)
            {
                // Neither serving nor gone: killed, and started again on the next pass.
                _console.Warning($"{e.Message}: stopping it");
                _process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                _console.Warning(e.Message);
            }
        }
    }

    /// <summary>
    /// Stops the gateway: one that saw the link stopped exits by itself (given 3 s); one whose run never got going (a
    /// failed start) is sent SIGTERM at once; one that will not go, SIGKILL 3 s later.
    /// </summary>
    private async Task StopAsync(Process process)
    {
        if (!process.HasExited && (_segments.State != LinkState.Stopped || !await ExitsWithinAsync(process, TimeSpan.FromSeconds(3))))
        {
            ProcessSignals.Send(process.Id, ProcessSignals.Terminate);
            if (!await ExitsWithinAsync(process, TimeSpan.FromSeconds(3)))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.Dispose();
    }

    private static async Task<bool> ExitsWithinAsync(Process process, TimeSpan patience)
    {
        using var limit = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
