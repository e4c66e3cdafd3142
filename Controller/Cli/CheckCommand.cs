using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary>
/// <c>controller check</c>: bring-up of a robot config's hardware without running anything. Opens every device
/// (nothing is written: servos stay limp, a PWM board holds its safe pulses), watches the samples for a few
/// seconds, and reports each device (sample rate, the longest it went without a new sample, inputs, counters),
/// each observation and teleop source against its age limit, and the emergency-stop inputs. Exits 1 naming
/// what would stop the robot: a device with no samples, a source older than its limit at any point of the
/// watch, an active stop. The controller must not be running: the devices cannot be shared.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(DeviceRegistry registry)
    {
        var robot = new Option<string>("--robot") { Description = "The robot config file whose devices to check (stop the controller first).", Required = true };
        var seconds = new Option<double>("--seconds") { Description = "How long to watch the samples.", DefaultValueFactory = _ => 2 };
        var json = CliCommand.JsonOption();
        var command = new Command("check", "Open a robot config's devices without driving anything, watch their samples, and report each device, observation, teleop source and emergency-stop input.")
        {
            robot, seconds, json,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunStoppableAsync(parse, json, console =>
        {
            double watch = parse.GetValue(seconds);
            if (!(watch is > 0 and <= 3600))
            {
                throw new ArgumentException("--seconds: must be more than 0 and at most 3600");
            }
            var config = RobotConfigLoader.Load(parse.GetValue(robot)!);
            using var hardware = new ConfiguredRobot(config, registry);
            var problems = new List<string>();
            SampleWatch watched;
            try
            {
                // Start opens every bus and takes a first sample; the loop never runs, so no output is ever written.
                hardware.Start();
                foreach (string note in hardware.Notes)
                {
                    console.Warning(note);
                }
                watched = SampleWatch.Run(hardware.Devices, TimeSpan.FromSeconds(watch), cancellation);
            }
            finally
            {
                try
                {
                    hardware.Stop();
                }
                catch (IOException e)
                {
                    problems.Add(e.Message);
                }
            }
            return Task.FromResult(Report(config, hardware.Devices, watched, problems, console));
        }));
        return command;
    }

    private static int Report(ResolvedConfig config, IReadOnlyList<IDevice> devices, SampleWatch watched, List<string> problems, CommandOutput console)
    {
        var c = CultureInfo.InvariantCulture;
        var names = devices.Select(d => d.Name).ToList();
        string Ms(double ms) => double.IsFinite(ms) ? string.Create(c, $"{ms:F0} ms") : "never";
        JsonNode? MsJson(double ms) => double.IsFinite(ms) ? ms : null;

        var deviceReports = new JsonArray();
        for (int d = 0; d < devices.Count; d++)
        {
            var device = devices[d];
            var counters = device.Counters;
            string counterText = string.Join(", ", counters.Select(kv => $"{kv.Key} {kv.Value}"));
            double? rate = watched.SamplesPerSecond(d);
            if (device.Inputs.Count == 0)
            {
                // Nothing to sample (a PWM board): it answered when it was opened, which is all a watch can say.
                console.Line($"device {device.Name} ({config.Devices[d].Type}): no inputs, answered when opened; {counterText}");
            }
            else
            {
                console.Line(string.Create(c, $"device {device.Name} ({config.Devices[d].Type}): {rate:F1} samples/s, longest without a new sample {Ms(watched.WorstAgeMs(d))}; {counterText}"));
                console.Line(watched.HasSample(d)
                    ? "  " + string.Join("  ", device.Inputs.Select((name, i) => string.Create(c, $"{name} {watched.Inputs[d][i]:G5}")))
                    : "  no sample");
                if (!watched.HasSample(d))
                {
                    problems.Add($"device {device.Name} gave no sample");
                }
                else if (watched.NewSamples[d] == 0)
                {
                    problems.Add(string.Create(c, $"device {device.Name} gave no new sample in {watched.Seconds:F1} s"));
                }
            }
            deviceReports.Add((JsonNode)new JsonObject
            {
                ["name"] = device.Name,
                ["type"] = config.Devices[d].Type,
                ["samples_per_second"] = rate,
                ["worst_age_ms"] = device.Inputs.Count == 0 ? null : MsJson(watched.WorstAgeMs(d)),
                ["worst_sample_gap_ms"] = device.WorstSampleGap.TotalMilliseconds,
                ["inputs"] = new JsonObject(device.Inputs.Select((name, i) => KeyValuePair.Create(name, watched.HasSample(d) ? (JsonNode?)watched.Inputs[d][i] : null))),
                ["counters"] = new JsonObject(counters.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["notes"] = new JsonArray([.. device.Notes.Select(n => (JsonNode?)n)]),
            });
        }

        // A config entry reading a source: its value as the loop would see it, and its worst age in the watch.
        (double? Value, double WorstAgeMs) Entry(ChannelRef source, double scale, double offset)
        {
            int d = names.IndexOf(source.Device);
            int channel = devices[d].Inputs.ToList().IndexOf(source.Channel);
            return (watched.HasSample(d) ? watched.Inputs[d][channel] * scale + offset : null, watched.WorstAgeMs(d));
        }
        JsonArray Sources(string kind, IEnumerable<(string Name, string Unit, ChannelRef Source, double Scale, double Offset, long MaxAgeNs)> entries)
        {
            var reports = new JsonArray();
            foreach (var (name, unit, source, scale, offset, maxAgeNs) in entries)
            {
                var (value, age) = Entry(source, scale, offset);
                double limit = maxAgeNs / 1e6;
                bool fresh = age <= limit;
                string shown = value is double v ? string.Create(c, $"{v:G5} {unit}") : "no sample";
                console.Line(string.Create(c, $"{kind} {name} = {shown} (oldest {Ms(age)}, limit {limit:G4} ms) {(fresh ? "ok" : "STALE")}"));
                if (!fresh)
                {
                    problems.Add(string.Create(c, $"{kind} {name} was stale (oldest {Ms(age)}, limit {limit:G4} ms)"));
                }
                // A limit the device cannot keep when its bus loses one answer: fine in a quiet watch, a fault on the robot.
                double gap = devices[names.IndexOf(source.Device)].WorstSampleGap.TotalMilliseconds;
                double? suggested = limit < gap ? Math.Ceiling(2 * gap / 10) * 10 : null;
                if (suggested is not null)
                {
                    console.Warning(string.Create(c,
                        $"{kind} {name}: max_age_ms {limit:G4} leaves no room for one lost answer on {source.Device} (its samples are then up to {gap:G4} ms apart; the oldest in this watch was {Ms(age)}); {suggested} would hold"));
                }
                reports.Add((JsonNode)new JsonObject
                {
                    ["name"] = name, ["value"] = value, ["unit"] = unit, ["worst_age_ms"] = MsJson(age), ["max_age_ms"] = limit, ["fresh"] = fresh,
                    ["suggested_max_age_ms"] = suggested,
                });
            }
            return reports;
        }

        var spec = config.Description;
        var observations = Sources("observation", config.Observations.Select((o, i) =>
            (spec.Observations[i].Name, spec.Observations[i].Unit, o.Source, o.Scale, o.Offset, spec.Observations[i].MaxAgeNs)));
        var teleop = Sources("teleop source for", (config.Teleop ?? []).Select((t, i) =>
            (spec.Actions[i].Name, spec.Actions[i].Unit, t.Source, t.Scale, t.Offset, t.MaxAgeNs)));

        var stops = new JsonArray();
        foreach (var (source, maxAgeNs) in config.EmergencyStops ?? [])
        {
            var (value, age) = Entry(source, 1, 0);
            bool active = value is not double v || ConfiguredRobot.StopInputActive((float)v) || age > maxAgeNs / 1e6;
            console.Line($"emergency stop {source.Device}.{source.Channel}: {(active ? "ACTIVE (pressed, or not read in time)" : "released")}");
            if (active)
            {
                problems.Add($"emergency stop {source.Device}.{source.Channel} is active: the robot would not move");
            }
            stops.Add((JsonNode)new JsonObject { ["source"] = $"{source.Device}.{source.Channel}", ["active"] = active });
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
            ["observations"] = observations,
            ["teleop"] = teleop,
            ["emergency_stops"] = stops,
            ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode?)p)]),
        });
        return problems.Count == 0 ? 0 : 1;
    }
}
