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

/// <summary>The loop process's memory, and its gateway's, at a moment of the loaded run.</summary>
public readonly record struct MemorySample(double Seconds, long ResidentBytes, long ManagedBytes, long GatewayResidentBytes);

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
            progress(loaded
                ? $"{name}: {settings.Subscribers} full-rate subscribers, 1 that never reads, an operator at {settings.OperatorRateHz} Hz, for {settings.LoadedDuration.TotalSeconds:F0} s"
                : $"{name}: server up, no client, for {settings.QuietDuration.TotalSeconds:F0} s");
            using var segments = LoopLink.CreateSegments(LinkPaths.Unique(), robot.Description, options, runner);
            using var loop = new ControlLoop(robot, options, runner, link: segments);
            using var hub = new EventHub(loop);
            await using var plane = new ControlPlane(loop, hub);
            JsonObject? clients = null;
            using (var loopLink = new LoopLink(loop, plane, hub, segments))
            await using (var gateway = await GatewayProcess.StartAsync(segments, null, settings.Realtime ? RealtimeThread.LastAllowedCpu() : null, new ServerOptions { Url = new Uri("http://127.0.0.1:0"), Token = token }, Silent))
            {
                loop.Start();
                if (loaded)
                {
                    clients = await LoadAsync(settings, gateway.Address, token, runner.Metadata, () => ResidentBytes(gateway.Pid), memory, cancellation);
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

    /// <summary>A process's resident memory (VmRSS in /proc/PID/status, in kB), or 0 once it is gone.</summary>
    private static long ResidentBytes(int pid)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Collects everything collectable, finalizers included; the loop has stopped, so the pause hurts nothing.</summary>
    private static long RetainedManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <returns>The clients' figures; null when cancelled (the clients are ended without them).</returns>
    private static async Task<JsonObject?> LoadAsync(GrpcBenchmarkSettings settings, Uri address, string token, PolicyMetadata policy,
        Func<long> gatewayResident, Action<MemorySample> memory, CancellationToken cancellation)
    {
        string url = address.ToString();
        string seconds = settings.LoadedDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        string script = Path.Combine(Path.GetTempPath(), $"bench-grpc-{Guid.NewGuid():N}.txt");
        WriteOperatorScript(script, policy, settings.LoadedDuration);
        var children = new List<ChildController>();
        try
        {
            // Every client in a process of its own: none of their garbage, threads or sockets is the loop process's.
            children.Add(ChildController.Start(settings.ClientCpus, "bench", "stalled-client", "--connect", url, "--token", token, "--seconds", seconds, "--json"));
            for (int i = 0; i < settings.Subscribers; i++)
            {
                children.Add(ChildController.Start(settings.ClientCpus, "telemetry", "--connect", url, "--token", token, "--rate", "0", "--seconds", seconds, "--json"));
            }
            var @operator = ChildController.Start(settings.ClientCpus, "override", "--connect", url, "--token", token, "--source", "script:" + script,
                "--rate", settings.OperatorRateHz.ToString(CultureInfo.InvariantCulture), "--seconds", seconds, "--name", "benchmark", "--json");
            children.Add(@operator);

            var timeout = settings.LoadedDuration + TimeSpan.FromMinutes(2);
            var summaries = Task.WhenAll(children.Select(c => c.SummaryAsync(timeout)));
            var started = System.Diagnostics.Stopwatch.StartNew();
            // A sample per interval until the clients are done. A cancelled wait ends the run, never takes a sample.
            while (true)
            {
                var done = await Task.WhenAny(summaries, Task.Delay(settings.MemorySampleInterval, cancellation));
                if (cancellation.IsCancellationRequested)
                {
                    // Killed below: their figures would not be of the whole run, and a Ctrl+C may have stopped them already.
                    return null;
                }
                if (done == summaries)
                {
                    break;
                }
                memory(new MemorySample(started.Elapsed.TotalSeconds, Environment.WorkingSet, GC.GetTotalMemory(forceFullCollection: false), gatewayResident()));
            }
            var results = await summaries;
            var subscribers = results[1..^1];
            return new JsonObject
            {
                ["subscribers"] = new JsonArray([.. subscribers.Select(s => (JsonNode)s)]),
                ["messages"] = subscribers.Sum(s => (long)s["messages"]!),
                ["messages_per_second"] = subscribers.Sum(s => (long)s["messages"]! / (double)s["seconds"]!),
                ["subscriber_dropped"] = subscribers.Sum(s => (long)s["dropped"]!),
                ["stalled_subscriber"] = results[0],
                ["operator"] = results[^1],
            };
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
            File.Delete(script);
        }
    }

    /// <summary>A slow sweep across the middle half of each action's range, one step a second, for the whole run.</summary>
    private static void WriteOperatorScript(string path, PolicyMetadata policy, TimeSpan duration)
    {
        var lines = new List<string> { "# seconds, then one value per action" };
        for (int second = 0; second <= (int)duration.TotalSeconds + 1; second++)
        {
            var values = policy.ActionLow.Select((low, i) =>
            {
                float high = policy.ActionHigh[i];
                double middle = double.IsFinite(low + high) ? (low + high) / 2.0 : 0;
                double span = double.IsFinite(high - low) ? (high - low) / 4.0 : 1;
                return policy.Head.ActsDiscretely ? 0 : middle + span * Math.Sin(second / 10.0);
            });
            lines.Add(string.Join(' ', [second.ToString(CultureInfo.InvariantCulture), .. values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))]));
        }
        File.WriteAllLines(path, lines);
    }
}
