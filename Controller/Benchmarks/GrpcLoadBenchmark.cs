using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Control;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Timing;
using Robotics.Controller.Remote;
using Robotics.Protos.Control;

namespace Robotics.Controller.Benchmarks;

/// <summary>What <see cref="GrpcLoadBenchmark"/> runs.</summary>
public sealed record GrpcBenchmarkSettings
{
    public required string PolicyPath { get; init; }

    public double RateHz { get; init; } = 1000;

    public bool Realtime { get; init; } = true;

    /// <summary>Full-rate telemetry subscribers, each a <c>controller telemetry</c> process.</summary>
    public int Subscribers { get; init; } = 8;

    /// <summary>Length of each quiet run (server up, no client).</summary>
    public TimeSpan QuietDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Length of the loaded run, whose process memory is sampled throughout. Short by default, so the whole benchmark
    /// takes about a minute; a soak (memory over ten minutes) asks for it.
    /// </summary>
    public TimeSpan LoadedDuration { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>Commands per second from the <c>controller override</c> process driving during the loaded run.</summary>
    public double OperatorRateHz { get; init; } = 100;

    public TimeSpan MemorySampleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// CPUs the client processes are kept on (a taskset list), or null for anywhere. Kept off the loop's CPU
    /// they stand in for operators on other machines; anywhere, they also compete with the loop for its CPU.
    /// </summary>
    public string? ClientCpus { get; init; }
}

/// <summary>One run of the loop with its server: its report, and what the clients measured.</summary>
/// <param name="Clients">What the clients measured in the loaded run; null for a quiet run, and for a loaded run stopped early.</param>
/// <param name="RetainedManagedBytes">
/// The managed heap after a full, compacting collection once the run ended and its server was gone: what the
/// run left behind. Equal after the quiet and the loaded runs means the clients leaked nothing.
/// </param>
/// <param name="StoppedEarly">The benchmark was stopped (Ctrl+C, SIGTERM) during this run: it is shorter than asked.</param>
public sealed record GrpcPhaseResult(string Name, bool Loaded, LoopReport Loop, JsonObject? Clients, long RetainedManagedBytes, bool StoppedEarly);

/// <summary>The loop process's memory, and its gateway's, at a moment of the loaded run (read from outside both, in /proc).</summary>
public readonly record struct MemorySample(double Seconds, long ResidentBytes, long GatewayResidentBytes);

/// <summary>
/// The gRPC server's cost to the loop: the loop at 1 kHz on a null robot in this process, its gateway in a process of
/// its own (as <c>controller run --grpc</c> runs them), first with no client, then with full-rate telemetry subscribers,
/// one subscriber that never reads and an operator driving (each a <c>controller</c> process of its own), then with no
/// client again, so the two quiet runs give the noise the loaded one is judged against. Cancelled, it ends the run under way and returns the runs so
/// far, the last marked as stopped early; the clients of a loaded run are then ended without their figures.
/// </summary>
public static class GrpcLoadBenchmark
{
    public static async Task<IReadOnlyList<GrpcPhaseResult>> RunAsync(GrpcBenchmarkSettings settings, Action<string> progress,
        Action<MemorySample> memory, CancellationToken cancellation)
    {
        using var runner = new PolicyRunner(settings.PolicyPath);
        var robot = new NullRobot(runner.Metadata, settings.RateHz);
        var options = new LoopOptions
        {
            RateHz = settings.RateHz,
            Realtime = settings.Realtime,
            CheckPolicyRate = false,
            // The operator drives for the whole loaded run; the benchmark is not about help requests.
            Help = null,
        };
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var phases = new List<GrpcPhaseResult>();
        foreach (var (name, loaded) in new[] { ("quiet", false), ("loaded", true), ("quiet again", false) })
        {
            using var segments = LoopLink.CreateSegments(LinkPaths.Unique(), robot.Description, options, runner);
            using var loop = new ControlLoop(robot, options, runner, link: segments);
            using var hub = new EventHub(loop);
            await using var plane = new ControlPlane(loop, hub);
            JsonObject? clients = null;
            using (var loopLink = new LoopLink(loop, plane, hub, segments))
            await using (var gateway = await GatewayProcess.StartAsync(segments, null, settings.Realtime ? RealtimeThread.LastAllowedCpu() : null, new ServerOptions { Url = new Uri("http://127.0.0.1:0"), Token = token }, Silent))
            {
                loop.Start();
                // Said once the run is under way (its gateway serving, its loop ticking).
                progress(loaded
                    ? $"{name}: {settings.Subscribers} full-rate subscribers, 1 that never reads, an operator at {settings.OperatorRateHz} Hz, for {settings.LoadedDuration.TotalSeconds:F0} s"
                    : $"{name}: gateway up, no client, for {settings.QuietDuration.TotalSeconds:F0} s");
                if (loaded)
                {
                    clients = await LoadAsync(settings, gateway.Address, token, gateway.Pid, memory, cancellation);
                }
                else
                {
                    // Cancelled, the run ends here rather than throwing: what it measured so far is kept.
                    await Task.Delay(settings.QuietDuration, cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                loop.RequestStop();
                loopLink.Dispose();
            }
            var report = loop.WaitForExit();
            bool stopped = cancellation.IsCancellationRequested;
            phases.Add(new GrpcPhaseResult(name, loaded, report, stopped ? null : clients, RetainedManagedBytes(), stopped));
            if (stopped)
            {
                break;
            }
        }
        return phases;
    }

    // The gateway's own lines (it has none while it serves): the benchmark prints its figures alone.
    private static readonly CommandOutput Silent = new(TextWriter.Null, Console.Error, json: false);

    /// <summary>Collects everything collectable, finalizers included; the loop has stopped, so the pause hurts nothing.</summary>
    private static long RetainedManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>
    /// Starts the loaded run's clients through one coordinating process (<c>bench grpc-clients</c>), which starts each
    /// client and samples the loop's and the gateway's memory: this process, the loop's, only waits for its summary.
    /// </summary>
    /// <returns>The clients' figures; null when cancelled (the clients are ended without them).</returns>
    private static async Task<JsonObject?> LoadAsync(GrpcBenchmarkSettings settings, Uri address, string token, int gatewayPid,
        Action<MemorySample> memory, CancellationToken cancellation)
    {
        var c = CultureInfo.InvariantCulture;
        string[] cpus = settings.ClientCpus is null ? [] : ["--client-cpus", settings.ClientCpus];
        using var clients = ChildController.Start(settings.ClientCpus, ["bench", "grpc-clients", "--connect", address.ToString(), "--token", token,
            "--policy", settings.PolicyPath, "--subscribers", settings.Subscribers.ToString(c), "--operator-rate", settings.OperatorRateHz.ToString(c),
            "--seconds", settings.LoadedDuration.TotalSeconds.ToString(c), "--sample-seconds", settings.MemorySampleInterval.TotalSeconds.ToString(c),
            "--loop-pid", Environment.ProcessId.ToString(c), "--gateway-pid", gatewayPid.ToString(c), .. cpus, "--json"]);
        JsonObject summary;
        try
        {
            summary = await clients.SummaryAsync(settings.LoadedDuration + TimeSpan.FromMinutes(3)).WaitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            // Killed on dispose: their figures would not be of the whole run, and a Ctrl+C may have stopped them already.
            return null;
        }
        foreach (var sample in summary["memory"]!.AsArray())
        {
            memory(new MemorySample((double)sample!["seconds"]!, (long)sample["loop_resident_bytes"]!, (long)sample["gateway_resident_bytes"]!));
        }
        summary.Remove("memory");
        return summary;
    }
}
