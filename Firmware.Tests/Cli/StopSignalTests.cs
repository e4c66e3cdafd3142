using System.Diagnostics;
using System.Text.Json;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.Cli;

/// <summary>
/// A robot's controller is stopped by Ctrl+C (SIGINT) or by systemd (SIGTERM) far more often than by
/// --duration. A real <c>controller run</c> process, recording, with and without its gRPC server, gets the
/// real signal: the loop must stop, the robot be made safe, the summary be printed and the log be closed.
/// </summary>
public sealed class StopSignalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("TERM", false, 143)]
    [InlineData("INT", false, 130)]
    [InlineData("HUP", false, 129)]
    [InlineData("TERM", true, 143)]
    [InlineData("INT", true, 130)]
    public async Task A_signal_stops_the_loop_prints_the_summary_and_closes_the_log(string signal, bool grpc, int exitCode)
    {
        string log = _directory.File("signalled.mcap");
        string[] serve = grpc ? ["--grpc", "http://127.0.0.1:0", "--token", "signal-test-token"] : [];
        // SIGTERM is how systemd stops a service, which runs until stopped; a person's Ctrl+C or hang-up ends a timed run.
        string[] until = signal == "TERM" ? ["--until-stopped"] : ["--duration", "10m"];
        using var child = ControllerProcess.Start(["run", "--robot", "sim:reach", "--mode", "teleop", .. until, "--record", log, "--json", .. serve]);
        // Ticking, recording and (with --grpc) serving: an episode has ended, so every part is up.
        await child.WaitForLineAsync(line => line.StartsWith("episode 1:", StringComparison.Ordinal), TimeSpan.FromSeconds(120));

        child.Signal(signal);
        int exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));

        // A clean stop, and the exit code still says a signal stopped it (128 + its number).
        Assert.True(exit == exitCode, $"exit code {exit} after SIG{signal}; stderr: {child.Stderr}");
        var summary = JsonDocument.Parse(child.StdoutLines[^1]).RootElement;
        Assert.Equal("SIG" + signal, summary.GetProperty("stopped_by").GetString());
        // What the stop cost, from the signal to the log closed, is reported (not judged here: the machine may be busy).
        Assert.True(summary.GetProperty("stop_ms").GetDouble() > 0);
        Assert.Contains(child.StdoutLines, line => line.StartsWith($"stopped by SIG{signal} in ", StringComparison.Ordinal) && line.EndsWith(" ms (devices halted and closed, log closed)", StringComparison.Ordinal));
        Assert.True(summary.GetProperty("ticks").GetInt64() > 0);
        Assert.Contains(child.StdoutLines, line => line.StartsWith("ticks ", StringComparison.Ordinal));

        var recording = TeleopLogReader.Read(log);
        Assert.True(recording.WasClosed, "the log has no footer: it was not closed");
        Assert.Equal(0, recording.DroppedSteps);
        var last = recording.Episodes[^1];
        Assert.NotNull(last.End);
        Assert.Equal("stopped", last.End!.Reason);
        Assert.Equal(summary.GetProperty("ticks").GetInt64(), recording.StepCount);
    }

    [Fact]
    public async Task One_Ctrl_C_delivered_twice_is_one_clean_stop()
    {
        // A terminal's Ctrl+C reaches the whole process group, and `dotnet run` (README's way to start the controller)
        // forwards it to its child as well: the controller gets the same SIGINT twice, back to back. (A person's
        // second Ctrl+C, which forces the exit, is LeaderFollowerTests.A_second_Ctrl_C_ends_a_stop_stuck_on_a_silent_servo….)
        string log = _directory.File("twice.mcap");
        using var child = ControllerProcess.Start(["run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "10m", "--record", log, "--json"]);
        await child.WaitForLineAsync(line => line.StartsWith("episode 1:", StringComparison.Ordinal), TimeSpan.FromSeconds(120));

        child.Signal("INT");
        child.Signal("INT");
        int exit = await child.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 130, $"exit code {exit}; stderr: {child.Stderr}");
        Assert.DoesNotContain("second SIGINT", child.Stderr, StringComparison.Ordinal);
        Assert.Equal("SIGINT", JsonDocument.Parse(child.StdoutLines[^1]).RootElement.GetProperty("stopped_by").GetString());
        Assert.True(TeleopLogReader.Read(log).WasClosed, "the log has no footer: it was not closed");
    }
}

/// <summary>A <c>controller</c> command in a child process of its own, its output collected line by line.</summary>
internal sealed class ControllerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderrLines = [];
    private readonly System.Text.StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource? _lineArrived;

    private ControllerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_gate)
            {
                _stderr.AppendLine(e.Data);
                if (e.Data is not null)
                {
                    _stderrLines.Add(e.Data);
                    _lineArrived?.TrySetResult();
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <param name="environment">Variables set for the child beside the suite's own (a service manager's, for instance).</param>
    public static ControllerProcess Start(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = WithCtrlCDelivered("dotnet");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add(RepoPaths.ControllerDll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new ControllerProcess(Process.Start(start)!);
    }

    /// <summary>Runs <paramref name="program"/> (a wrapper such as setpriv that ends by running the controller) with these arguments.</summary>
    public static ControllerProcess StartProgram(string program, string[] arguments)
    {
        var start = WithCtrlCDelivered(program);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new ControllerProcess(Process.Start(start)!);
    }

    /// <summary>
    /// A controller whose files cannot grow past <paramref name="kib"/> KiB (ulimit -f): a write past it fails
    /// with EFBIG, as a full disk fails with ENOSPC, without root or a file system of its own. SIGXFSZ, which
    /// would kill the process instead, is ignored; and the runtime's W^X double mapping, a memory file the same
    /// limit would refuse, is turned off.
    /// </summary>
    /// <param name="kib">The limit from the start; null for none yet (<see cref="LimitFileSize"/> sets one once the run has made its link).</param>
    public static ControllerProcess StartWithFileSizeLimit(int? kib, string[] arguments)
    {
        Assert.True(File.Exists("/bin/bash"), "these tests limit a child's file size with bash's ulimit -f: /bin/bash is missing");
        var start = WithCtrlCDelivered("/bin/bash");
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        // bash counts ulimit -f in 1024-byte blocks.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"trap '' XFSZ; {(kib is null ? "" : $"ulimit -f {kib} && ")}exec dotnet \"$@\"");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(RepoPaths.ControllerDll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new ControllerProcess(Process.Start(start)!);
    }

    /// <summary>
    /// Limits the running child's file size from now on (prlimit(1), util-linux): files it already made, such as the
    /// shared-memory link of a run with a gateway, keep their size.
    /// </summary>
    public void LimitFileSize(int kib)
    {
        Assert.True(File.Exists("/usr/bin/prlimit"), "prlimit is missing: apt-get install util-linux");
        using var prlimit = Process.Start("prlimit", ["--pid", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"--fsize={kib * 1024}"])!;
        prlimit.WaitForExit();
        Assert.True(prlimit.ExitCode == 0, "prlimit (util-linux) could not limit the controller's file size");
    }

    /// <summary>
    /// Runs <paramref name="program"/> with SIGINT's default action restored (coreutils' env --default-signal): a
    /// suite started as a background job (`dotnet test &amp;`) hands its children SIGINT ignored, and the child would
    /// then never see the Ctrl+C a test sends it.
    /// </summary>
    private static ProcessStartInfo WithCtrlCDelivered(string program)
    {
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add(program);
        return start;
    }

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderrLines];
            }
        }
    }

    /// <summary>Waits (bounded) until a stdout line matches; fails with what the process printed.</summary>
    public Task WaitForLineAsync(Func<string, bool> match, TimeSpan limit) => WaitForAsync(() => _stdout.Any(match), limit);

    /// <summary>Waits (bounded) until a stderr line matches; fails with what the process printed.</summary>
    public Task WaitForErrorLineAsync(Func<string, bool> match, TimeSpan limit) => WaitForAsync(() => _stderrLines.Any(match), limit);

    private async Task WaitForAsync(Func<bool> seen, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (seen())
                {
                    return;
                }
                _lineArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrived = _lineArrived.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || _process.HasExited)
            {
                throw new TimeoutException($"no such line from the controller; stdout:\n{string.Join('\n', StdoutLines)}\nstderr:\n{Stderr}");
            }
            await Task.WhenAny(arrived, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)));
        }
    }

    /// <summary>SIGKILL: no handler runs, nothing is closed (a crash, an out-of-memory kill).</summary>
    public void Kill() => _process.Kill();

    /// <summary>Sends a real signal (kill -s NAME), as a terminal's Ctrl+C or systemd's stop would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-s", name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the controller did not exit within {limit.TotalSeconds:F0} s; stdout:\n{string.Join('\n', StdoutLines)}\nstderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            _stdout.Add(line);
            _lineArrived?.TrySetResult();
        }
    }
}
