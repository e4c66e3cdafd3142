using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary>
/// <c>controller calibrate</c>: with the servos limp, records where each joint's zero is (<c>--zero</c>) or how
/// far each joint goes (<c>--range SECONDS</c> while the user moves every joint through its range) and writes
/// the offsets or the action limits into the robot config. Joints are found by channel name: an observation
/// from <c>DEV.ID.position</c>, the action to <c>DEV.ID.goal_position</c>, and a leader's teleop source.
/// </summary>
internal static class CalibrateCommand
{
    // Limits stop this far inside the range the user showed, so a policy is not sent into the hard stops.
    private const double RangeMargin = 0.02;
    // A joint that moved less than this share of its configured range is taken as not moved at all.
    private const double UnmovedShare = 0.05;

    public static Command Create()
    {
        var robot = new Option<string>("--robot") { Description = "The robot config file to calibrate (it is rewritten).", Required = true };
        var zero = new Option<bool>("--zero") { Description = "Take the joints' present pose as zero: set the offsets of positions, goals and teleop sources." };
        var range = new Option<double?>("--range") { Description = "Watch the joints for this many seconds while you move each through its full range; set the actions' min and max." };
        var command = new Command("calibrate", "Calibrate a robot config's joints with the servos limp: --zero for the zero pose, --range SECONDS for the joint limits.")
        {
            robot, zero, range,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunStoppableAsync(parse, null, async console =>
        {
            string path = parse.GetValue(robot)!;
            bool atZero = parse.GetValue(zero);
            double? seconds = parse.GetValue(range);
            if (atZero == seconds.HasValue)
            {
                throw new ArgumentException("say what to calibrate: --zero or --range SECONDS");
            }
            var watch = seconds is { } s ? DurationParser.Seconds(s, "--range", atMost: 3600) : TimeSpan.Zero;
            // Loaded first: a missing or malformed file gets the loader's error naming the field.
            var config = RobotConfigLoader.Load(path);
            var document = JsonNode.Parse(JsonComments.Blank(File.ReadAllText(path), path), documentOptions: new() { AllowTrailingCommas = true })!;
            // No position limits from the config's actions: they are what calibrate is about to replace (a --zero moves
            // them in raw units too). Limits bound goals, not what a limp servo reads, so the ones a servo holds do no
            // harm here; writing the config's would spend EEPROM writes on limits the next run rewrites.
            using var hardware = new ConfiguredRobot(config, DeviceRegistry.Default, limitOutputs: false);
            // Start opens the buses and samples once; no goal or torque is written, so every servo stays limp.
            hardware.Start();
            try
            {
                if (atZero)
                {
                    console.Line($"zero: {SetZero(document, hardware)} joints");
                }
                else
                {
                    console.Line(string.Create(CultureInfo.InvariantCulture, $"move every joint through its full range for the next {seconds:F0} s"));
                    var skipped = new List<string>();
                    int? moved = await SetRangeAsync(document, hardware, watch, skipped, cancellation);
                    if (moved is not int joints)
                    {
                        // Ctrl+C or SIGTERM: the buses are closed below, and a half-seen range is not written.
                        console.Line($"calibration interrupted by {StopSignals.Installed?.Received ?? "a stop request"}: {path} unchanged");
                        return StopSignals.Installed?.ExitCode(otherwise: 1) ?? 1;
                    }
                    console.Line($"range: {joints} joints");
                    if (skipped.Count > 0)
                    {
                        console.Warning($"not moved, limits kept: {string.Join(", ", skipped)}");
                    }
                }
            }
            finally
            {
                hardware.Stop();
            }
            File.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            console.Line($"wrote {path} (comments are not kept)");
            return 0;
        }));
        return command;
    }

    /// <summary>Offsets that make the present readings zero: offset = −raw × scale.</summary>
    private static int SetZero(JsonNode document, ConfiguredRobot hardware)
    {
        int joints = 0;
        foreach (var observation in Entries(document, "observations"))
        {
            if (Joint((string?)observation["source"], "position") is not { } joint)
            {
                continue;
            }
            double offset = -Raw(hardware, joint.Device, $"{joint.Id}.position") * Scale(observation);
            observation["offset"] = offset;
            foreach (var action in Entries(document, "actions").Where(a => (string?)a["target"] == $"{joint.Device}.{joint.Id}.goal_position"))
            {
                action["offset"] = offset;
            }
            joints++;
        }
        foreach (var teleop in Entries(document, "actions").Select(a => a["teleop"]).OfType<JsonObject>())
        {
            if (Joint((string?)teleop["source"], "position") is { } leader)
            {
                teleop["offset"] = -Raw(hardware, leader.Device, $"{leader.Id}.position") * Scale(teleop);
            }
        }
        return joints;
    }

    /// <summary>Action limits from the lowest and highest readings seen, through the joint's own scale and offset; null when stopped before the end.</summary>
    private static async Task<int?> SetRangeAsync(JsonNode document, ConfiguredRobot hardware, TimeSpan duration, List<string> skipped, CancellationToken cancellation)
    {
        var positions = Entries(document, "observations")
            .Select(o => (Entry: o, Joint: Joint((string?)o["source"], "position")))
            .Where(o => o.Joint is not null)
            .ToList();
        var low = positions.Select(_ => double.PositiveInfinity).ToArray();
        var high = positions.Select(_ => double.NegativeInfinity).ToArray();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            for (int i = 0; i < positions.Count; i++)
            {
                var joint = positions[i].Joint!.Value;
                double value = Raw(hardware, joint.Device, $"{joint.Id}.position") * Scale(positions[i].Entry) + Offset(positions[i].Entry);
                (low[i], high[i]) = (Math.Min(low[i], value), Math.Max(high[i], value));
            }
            // Sampled at 100 Hz, well above how fast a hand moves a joint; Ctrl+C ends it (nothing is written then).
            try
            {
                await Task.Delay(10, cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                return null;
            }
        }
        while (watch.Elapsed < duration);
        int joints = 0;
        for (int i = 0; i < positions.Count; i++)
        {
            var joint = positions[i].Joint!.Value;
            double margin = (high[i] - low[i]) * RangeMargin;
            foreach (var action in Entries(document, "actions").Where(a => (string?)a["target"] == $"{joint.Device}.{joint.Id}.goal_position"))
            {
                // A joint that barely moved was not shown its range: its limits stay as they were.
                double configured = (double)action["max"]! - (double)action["min"]!;
                if (high[i] - low[i] < UnmovedShare * configured)
                {
                    skipped.Add((string?)action["name"] ?? $"{joint.Device}.{joint.Id}");
                    continue;
                }
                action["min"] = low[i] + margin;
                action["max"] = high[i] - margin;
                if (action["safe"] is JsonValue safe)
                {
                    action["safe"] = Math.Clamp((double)safe, low[i] + margin, high[i] - margin);
                }
                joints++;
            }
        }
        return joints;
    }

    private static IEnumerable<JsonObject> Entries(JsonNode document, string list) => document[list]?.AsArray().OfType<JsonObject>() ?? [];

    /// <summary>"DEV.ID.KIND" split into device and ID, for the channel kind asked.</summary>
    private static (string Device, string Id)? Joint(string? source, string kind)
    {
        var parts = source?.Split('.') ?? [];
        return parts.Length == 3 && parts[2] == kind ? (parts[0], parts[1]) : null;
    }

    private static double Scale(JsonNode entry) => entry["scale"] is JsonValue v ? (double)v : 1;

    private static double Offset(JsonNode entry) => entry["offset"] is JsonValue v ? (double)v : 0;

    /// <summary>How long a device may take to give its first reading: its first poll can be lost like any other, and the next comes a period later.</summary>
    private static readonly TimeSpan FirstReadingPatience = TimeSpan.FromSeconds(2);

    /// <summary>A device input's latest raw reading.</summary>
    private static double Raw(ConfiguredRobot hardware, string deviceName, string channel)
    {
        var device = hardware.Devices.First(d => d.Name == deviceName);
        var inputs = new float[device.Inputs.Count];
        if (!SpinWait.SpinUntil(() => device.ReadLatest(inputs) != long.MinValue, FirstReadingPatience))
        {
            throw new IOException($"device '{deviceName}' has no reading yet: is it connected and powered?");
        }
        return inputs[device.Inputs.ToList().IndexOf(channel)];
    }
}
