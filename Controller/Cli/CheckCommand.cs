using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Protos;

namespace Robotics.Controller.Cli;

/// <summary>
/// <c>controller check</c>: bring-up of a robot config's hardware without running anything. Opens every device
/// (nothing is written: servos stay limp, a PWM board holds its safe pulses), watches the samples for a few
/// seconds, and prints what each device reads, how often, and its counters, then each observation with its age
/// against its limit, and the emergency-stop inputs. Exits 1 when an observation is stale or a stop is active.
/// </summary>
internal static class CheckCommand
{
    // How often the watcher looks: well under any device's period that matters for a rate figure.
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(2);

    public static Command Create()
    {
        var robot = new Option<string>("--robot") { Description = "The robot config file whose devices to check.", Required = true };
        var seconds = new Option<double>("--seconds") { Description = "How long to watch the samples.", DefaultValueFactory = _ => 2 };
        var json = CliCommand.JsonOption();
        var command = new Command("check", "Open a robot config's devices without driving anything, watch their samples, and report each device, observation and emergency-stop input.")
        {
            robot, seconds, json,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunAsync(parse, json, async console =>
        {
            double watch = parse.GetValue(seconds);
            if (!(watch is > 0 and <= 3600))
            {
                throw new ArgumentException("--seconds: must be more than 0 and at most 3600");
            }
            var config = RobotConfigLoader.Load(parse.GetValue(robot)!);
            using var hardware = new ConfiguredRobot(config, DeviceRegistry.Default);
            // Start opens every bus and takes a first sample; the loop never runs, so no output is ever written.
            hardware.Start();
            Watch watched;
            try
            {
                watched = await WatchAsync(hardware.Devices, TimeSpan.FromSeconds(watch), cancellation);
            }
            finally
            {
                hardware.Stop();
            }
            return Report(config, hardware.Devices, watched, console);
        }));
        return command;
    }

    /// <summary>Each device's latest inputs, when they were taken, and how many distinct samples came in.</summary>
    private sealed record Watch(float[][] Inputs, long[] SampledAt, long[] Samples, double Seconds, long EndedAt);

    private static async Task<Watch> WatchAsync(IReadOnlyList<IDevice> devices, TimeSpan duration, CancellationToken cancellation)
    {
        var inputs = devices.Select(d => new float[d.Inputs.Count]).ToArray();
        // The sample each device already has (taken when it started) is where counting begins, not a new one.
        var sampledAt = devices.Select((d, i) => d.ReadLatest(inputs[i])).ToArray();
        var samples = new long[devices.Count];
        long start = MonotonicClock.NowNs();
        long end = start + (long)(duration.TotalMilliseconds * 1e6);
        using var timer = new PeriodicTimer(WatchInterval);
        do
        {
            for (int d = 0; d < devices.Count; d++)
            {
                long at = devices[d].ReadLatest(inputs[d]);
                if (at != long.MinValue && at != sampledAt[d])
                {
                    (sampledAt[d], samples[d]) = (at, samples[d] + 1);
                }
            }
        }
        while (MonotonicClock.NowNs() < end && await timer.WaitForNextTickAsync(cancellation));
        long ended = MonotonicClock.NowNs();
        return new Watch(inputs, sampledAt, samples, (ended - start) / 1e9, ended);
    }

    private static int Report(ResolvedConfig config, IReadOnlyList<IDevice> devices, Watch watched, CommandOutput console)
    {
        var c = CultureInfo.InvariantCulture;
        var problems = new List<string>();
        double AgeMs(int device) => watched.SampledAt[device] == long.MinValue ? double.PositiveInfinity : (watched.EndedAt - watched.SampledAt[device]) / 1e6;
        int DeviceIndex(ChannelRef channel) => devices.ToList().FindIndex(d => d.Name == channel.Device);
        float Raw(ChannelRef channel)
        {
            int d = DeviceIndex(channel);
            return watched.Inputs[d][devices[d].Inputs.ToList().IndexOf(channel.Channel)];
        }

        var deviceReports = new JsonArray();
        for (int d = 0; d < devices.Count; d++)
        {
            var device = devices[d];
            double rate = watched.Samples[d] / watched.Seconds;
            var counters = device.Counters;
            console.Line(string.Create(c, $"device {device.Name} ({config.Devices[d].Type}): {rate:F1} samples/s, last {AgeMs(d):F0} ms ago; {string.Join(", ", counters.Select(kv => $"{kv.Key} {kv.Value}"))}"));
            if (device.Inputs.Count > 0)
            {
                console.Line("  " + string.Join("  ", device.Inputs.Select((name, i) => string.Create(c, $"{name} {watched.Inputs[d][i]:G5}"))));
            }
            deviceReports.Add(new JsonObject
            {
                ["name"] = device.Name,
                ["type"] = config.Devices[d].Type,
                ["samples_per_second"] = rate,
                ["age_ms"] = double.IsFinite(AgeMs(d)) ? AgeMs(d) : null,
                ["inputs"] = new JsonObject(device.Inputs.Select((name, i) => KeyValuePair.Create(name, (JsonNode?)watched.Inputs[d][i]))),
                ["counters"] = new JsonObject(counters.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            });
        }

        var observationReports = new JsonArray();
        for (int i = 0; i < config.Observations.Count; i++)
        {
            var (source, scale, offset) = config.Observations[i];
            var spec = config.Description.Observations[i];
            double age = AgeMs(DeviceIndex(source));
            double limit = spec.MaxAgeNs / 1e6;
            bool fresh = age <= limit;
            double value = Raw(source) * scale + offset;
            console.Line(string.Create(c, $"observation {spec.Name} = {value:G5} {spec.Unit} ({age:F0} ms old, limit {limit:G4} ms) {(fresh ? "ok" : "STALE")}"));
            if (!fresh)
            {
                problems.Add(string.Create(c, $"observation {spec.Name} is stale ({age:F0} ms old, limit {limit:G4} ms)"));
            }
            observationReports.Add(new JsonObject { ["name"] = spec.Name, ["value"] = value, ["unit"] = spec.Unit, ["age_ms"] = double.IsFinite(age) ? age : null, ["max_age_ms"] = limit, ["fresh"] = fresh });
        }

        var stopReports = new JsonArray();
        foreach (var (source, maxAgeNs) in config.EmergencyStops ?? [])
        {
            double age = AgeMs(DeviceIndex(source));
            bool active = !(Raw(source) < 0.5f) || age > maxAgeNs / 1e6;
            console.Line($"emergency stop {source.Device}.{source.Channel}: {(active ? "ACTIVE (pressed, or not read in time)" : "released")}");
            if (active)
            {
                problems.Add($"emergency stop {source.Device}.{source.Channel} is active: the robot would not move");
            }
            stopReports.Add(new JsonObject { ["source"] = $"{source.Device}.{source.Channel}", ["active"] = active });
        }

        foreach (string problem in problems)
        {
            console.Error(problem);
        }
        console.Line(problems.Count == 0 ? "check passed" : $"check failed: {problems.Count} problem(s)");
        console.Summary(new JsonObject
        {
            ["ok"] = problems.Count == 0,
            ["seconds"] = watched.Seconds,
            ["devices"] = deviceReports,
            ["observations"] = observationReports,
            ["emergency_stops"] = stopReports,
            ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode?)p)]),
        });
        return problems.Count == 0 ? 0 : 1;
    }
}
