using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Policy;
using Robotics.Controller.Shared;

namespace Robotics.Controller.Benchmarks;

/// <summary>What a loaded run of <see cref="GrpcLoadBenchmark"/> puts against the gateway.</summary>
/// <param name="LoopPid">The loop's process, whose memory is sampled (with the gateway's) from here, outside both.</param>
public sealed record GrpcClientsSettings(Uri Address, string Token, string PolicyPath, int Subscribers, double OperatorRateHz, TimeSpan Duration,
    string? ClientCpus, TimeSpan SampleInterval, int LoopPid, int GatewayPid);

/// <summary>
/// The clients of <c>bench grpc</c>'s loaded run, from a process of their own (<c>bench grpc-clients</c>): full-rate
/// <c>controller telemetry</c> subscribers, a stalled subscriber and a <c>controller override</c> operator, each a process,
/// started and read from here; and the loop's and the gateway's resident memory, sampled from /proc. Nothing of it runs in
/// the loop's process, whose collections the benchmark counts.
/// </summary>
public static class GrpcClients
{
    /// <returns>The clients' figures, with the memory samples under "memory".</returns>
    public static async Task<JsonObject> RunAsync(GrpcClientsSettings settings, CancellationToken cancellation)
    {
        string url = settings.Address.ToString();
        string token = settings.Token;
        PolicyMetadata policy;
        using (var runner = new PolicyRunner(settings.PolicyPath))
        {
            policy = runner.Metadata;
        }
        string seconds = settings.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        string script = Path.Combine(Path.GetTempPath(), $"bench-grpc-{Guid.NewGuid():N}.txt");
        WriteOperatorScript(script, policy, settings.Duration);
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

            // Where the gateway may run, to show it kept off the loop's CPU (`bench grpc` prints the loop's).
            string? gatewayCpus = ProcessStatus.Field(settings.GatewayPid, "Cpus_allowed_list:");
            var timeout = settings.Duration + TimeSpan.FromMinutes(2);
            var summaries = Task.WhenAll(children.Select(c => c.SummaryAsync(timeout)));
            var started = System.Diagnostics.Stopwatch.StartNew();
            var memory = new JsonArray();
            // A sample per interval until the clients are done.
            while (await Task.WhenAny(summaries, Task.Delay(settings.SampleInterval, cancellation)) != summaries)
            {
                cancellation.ThrowIfCancellationRequested();
                memory.Add((JsonNode)new JsonObject
                {
                    ["seconds"] = started.Elapsed.TotalSeconds,
                    ["loop_resident_bytes"] = ProcessStatus.ResidentBytes(settings.LoopPid) ?? 0,
                    ["gateway_resident_bytes"] = ProcessStatus.ResidentBytes(settings.GatewayPid) ?? 0,
                });
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
                ["gateway_cpus"] = gatewayCpus,
                ["memory"] = memory,
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
