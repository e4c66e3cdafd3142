using System.Runtime.InteropServices;

namespace Robotics.Controller.CommandLine;

/// <summary>
/// SIGINT (Ctrl+C), SIGTERM (how systemd stops a service) and SIGHUP (the terminal went away) for a command line.
/// By default a signal ends the process as the runtime does (exit 128 + the signal's number), which suits commands
/// with nothing to close. A command that has something to close — a loop driving a robot, a log being written, a
/// server, a lease — calls <see cref="StopGracefully"/>: the first signal then cancels <see cref="Token"/> and the
/// command finishes its own way (robot made safe, log closed, summary printed) and exits with
/// <see cref="ExitCode"/>, which still says a signal stopped it. A second signal (more than
/// <see cref="SameSignalWindow"/> after the first) ends the process at once, so a stop that hangs never traps the
/// person at the terminal; what the command registered with <see cref="BeforeForcedExit"/>
/// runs first (a robot's devices halted), on the signal's thread.
/// </summary>
/// <remarks>
/// System.CommandLine's own handling is switched off where this is installed (ProcessTerminationTimeout = null):
/// it blocks the signal thread for up to two seconds and then returns 130/143 from Main, so the process died
/// mid-stop with the loop still ticking and the log without its footer.
/// </remarks>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly PosixSignalRegistration _hangUp;
    private volatile bool _ignoreTerminalSignals;
    private volatile bool _graceful;
    private Action<string>? _beforeForcedExit;
    private int _received;
    private string? _signal;
    private long _receivedAtNs;

    private StopSignals()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);
    }

    /// <summary>
    /// A signal this soon after the first is the same request delivered twice (to the process group and forwarded by a
    /// parent), not a second one: a person pressing Ctrl+C again to end a stop that hangs takes longer.
    /// </summary>
    public static readonly TimeSpan SameSignalWindow = TimeSpan.FromMilliseconds(500);

    /// <summary>The process's handler, once <see cref="Install"/> has run (null in tests that run commands in-process).</summary>
    public static StopSignals? Installed { get; private set; }

    /// <summary>Cancelled by the first signal after <see cref="StopGracefully"/>.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>"SIGINT", "SIGTERM" or "SIGHUP" once one has asked the command to stop; null before.</summary>
    public string? Received => Volatile.Read(ref _signal);

    /// <summary>How long ago (monotonic clock) the signal in <see cref="Received"/> came; null before one did.</summary>
    public TimeSpan? SinceReceived => Received is null ? null : TimeSpan.FromTicks((Protos.MonotonicClock.NowNs() - Interlocked.Read(ref _receivedAtNs)) / 100);

    /// <summary>
    /// What a command stopped by a signal exits with: 128 + the signal's number (130 SIGINT, 143 SIGTERM, 129 SIGHUP),
    /// the shell's convention, even after a clean stop; 0 when no signal came. A systemd unit lists 143 in
    /// SuccessExitStatus to count its own stop as a success.
    /// </summary>
    public int ExitCode(int otherwise) => Received switch
    {
        "SIGINT" => 130,
        "SIGTERM" => 143,
        "SIGHUP" => 129,
        _ => otherwise,
    };

    /// <summary>Installs the process's handler; the command line passes <see cref="Token"/> to the command it runs.</summary>
    public static StopSignals Install() => Installed = new StopSignals();

    /// <summary>The running command stops cleanly on <see cref="Token"/>: the first signal cancels it instead of ending the process.</summary>
    public void StopGracefully() => _graceful = true;

    /// <summary>
    /// What must still happen when a second signal ends the process before the clean stop has finished: given the
    /// signal's name, it runs on the signal's thread and must bound its own time; the process ends after it.
    /// </summary>
    public void BeforeForcedExit(Action<string> action) => Volatile.Write(ref _beforeForcedExit, action);

    /// <summary>
    /// From now on Ctrl+C (SIGINT) and a closed terminal (SIGHUP) are ignored; SIGTERM still stops. For a child whose
    /// parent stops it (the gateway of a `controller run`): a terminal's Ctrl+C reaches the whole process group, and the
    /// child must not die under the parent's own orderly stop.
    /// </summary>
    public void IgnoreTerminalSignals() => _ignoreTerminalSignals = true;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _hangUp.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_ignoreTerminalSignals && context.Signal is PosixSignal.SIGINT or PosixSignal.SIGHUP)
        {
            context.Cancel = true;
            return;
        }
        string name = context.Signal switch
        {
            PosixSignal.SIGINT => "SIGINT",
            PosixSignal.SIGHUP => "SIGHUP",
            _ => "SIGTERM",
        };
        if (!_graceful)
        {
            // Not cancelled: the runtime's default ends the process with 128 + the signal's number.
            return;
        }
        long now = Protos.MonotonicClock.NowNs();
        // The first signal's time, set before it counts as received, so a second one always finds it.
        Interlocked.CompareExchange(ref _receivedAtNs, now, 0);
        if (Interlocked.Exchange(ref _received, 1) == 1)
        {
            if (now - Interlocked.Read(ref _receivedAtNs) < SameSignalWindow.Ticks * 100)
            {
                // The first one again: a terminal's Ctrl+C reaches the whole process group, and a parent such as
                // `dotnet run` forwards it to this process too, so one keypress arrives twice.
                context.Cancel = true;
                return;
            }
            // The second: the process ends as the runtime does once this returns, after what must still happen.
            Volatile.Read(ref _beforeForcedExit)?.Invoke(name);
            return;
        }
        context.Cancel = true;
        Volatile.Write(ref _signal, name);
        _stop.Cancel();
    }
}
