using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Config;

/// <summary>A channel of a device, as a config entry names it ("device.channel").</summary>
public readonly record struct ChannelRef(string Device, string Channel);

/// <summary>A config checked and resolved: the robot's description, and which device channel feeds or takes each entry.</summary>
public sealed record ResolvedConfig(
    string Path,
    RobotDescription Description,
    IReadOnlyList<DeviceConfig> Devices,
    IReadOnlyList<(ChannelRef Source, double Scale, double Offset)> Observations,
    IReadOnlyList<(ChannelRef Target, double Scale, double Offset)> Actions,
    IReadOnlyList<(ChannelRef Source, double Scale, double Offset, long MaxAgeNs)>? Teleop = null,
    IReadOnlyList<(ChannelRef Source, long MaxAgeNs)>? EmergencyStops = null);

/// <summary>
/// Reads a robot config file and checks it whole before anything is connected; each problem is one
/// <see cref="InvalidDataException"/> naming the file and the field, e.g. "robot.json: actions[1].max: must be
/// greater than min (-2)".
/// </summary>
public static class RobotConfigLoader
{
    /// <summary>
    /// The longest age limit taken, an hour: a sample older than that is no reading of a robot's state, and the
    /// limit is kept in nanoseconds in a long (1e300 ms would wrap into nonsense).
    /// </summary>
    private const double MaxAgeLimitMs = 3_600_000;

    public static ResolvedConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such robot config file", path);
        }
        RobotConfig? config;
        try
        {
            config = JsonSerializer.Deserialize(JsonComments.Blank(File.ReadAllText(path), path), RobotConfigJson.Default.RobotConfig);
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 1 } at ? at[2..] + ": " : "";
            string where = e.LineNumber is long line ? $" (line {line + 1}, column {e.BytePositionInLine + 1})" : "";
            throw new InvalidDataException($"{path}: {field}{Describe(e)}{where}", e);
        }
        return Resolve(config ?? throw new InvalidDataException($"{path}: the file is empty"), path);
    }

    /// <summary>System.Text.Json's complaint in the config's terms rather than .NET type names.</summary>
    private static string Describe(JsonException e)
    {
        string message = e.Message.Split(" Path:")[0];
        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            return "given twice: a key may appear once in an object";
        }
        if (message.StartsWith("The input does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return "the file is empty: a robot config is one JSON object { ... }";
        }
        if (message.StartsWith("Expected depth to be zero", StringComparison.Ordinal))
        {
            return "the file ends before every { and [ is closed";
        }
        if (UnknownField(message) is string unknown)
        {
            return unknown;
        }
        if (!message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            return message;
        }
        string expected = message switch
        {
            _ when message.Contains("DeviceConfig", StringComparison.Ordinal) => "a device object",
            _ when message.Contains("ObservationConfig", StringComparison.Ordinal) => "an observation object",
            _ when message.Contains("ActionConfig", StringComparison.Ordinal) => "an action object",
            _ when message.Contains("EmergencyStopConfig", StringComparison.Ordinal) => "an emergency stop object",
            _ when message.Contains("List", StringComparison.Ordinal) => "a list [...]",
            _ when message.Contains("Double", StringComparison.Ordinal) => "a number",
            _ when message.Contains("String", StringComparison.Ordinal) => "a string",
            _ => "another kind of value",
        };
        return $"wrong kind of value here: expected {expected}";
    }

    private static readonly Type[] ConfigTypes =
        [typeof(RobotConfig), typeof(DeviceConfig), typeof(ObservationConfig), typeof(ActionConfig), typeof(TeleopConfig), typeof(EmergencyStopConfig)];

    /// <summary>"The JSON property 'x' could not be mapped to any .NET member contained in type 'T'" as the fields the config takes there.</summary>
    private static string? UnknownField(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "^The JSON property '.*' could not be mapped to any .NET member contained in type '([^']+)'");
        if (!match.Success)
        {
            return null;
        }
        // The generated reader knows each config type's fields by their JSON names.
        var type = ConfigTypes.FirstOrDefault(t => t.FullName == match.Groups[1].Value);
        if (type is null)
        {
            return null;
        }
        var known = RobotConfigJson.Default.GetTypeInfo(type)!.Properties.Select(p => p.Name);
        return $"unknown field (known here: {string.Join(", ", known)})";
    }

    public static ResolvedConfig Resolve(RobotConfig config, string path)
    {
        [DoesNotReturn]
        void Fail(string field, string rule) => throw new InvalidDataException($"{path}: {field}: {rule}");
        var c = CultureInfo.InvariantCulture;

        if (string.IsNullOrWhiteSpace(config.Name))
        {
            Fail("name", "required: the robot's name");
        }
        // "actions": [null] reads as a list holding null, which nothing below expects.
        void NoNullEntries<T>(List<T>? list, string field, string expected)
        {
            int at = list?.FindIndex(entry => entry is null) ?? -1;
            if (at >= 0)
            {
                Fail($"{field}[{at}]", $"null: expected {expected}");
            }
        }
        NoNullEntries(config.Devices, "devices", "a device object");
        NoNullEntries(config.Observations, "observations", "an observation object");
        NoNullEntries(config.Actions, "actions", "an action object");
        NoNullEntries(config.DiscreteActions, "discrete_actions", "a name");
        NoNullEntries(config.EmergencyStops, "emergency_stops", "an emergency stop object");
        if (config.RateHz is not { } rate || !(rate is >= 10 and <= 2000))
        {
            Fail("rate_hz", "required: the control rate, between 10 and 2000 Hz");
        }
        var devices = config.Devices ?? [];
        var deviceNames = new HashSet<string>(StringComparer.Ordinal);
        var portUsers = new Dictionary<string, string>(StringComparer.Ordinal);
        var staleRecovery = new Dictionary<string, StaleRecovery>(StringComparer.Ordinal);
        for (int i = 0; i < devices.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(devices[i].Name) || devices[i].Name!.Contains('.'))
            {
                Fail($"devices[{i}].name", "required, and without '.'");
            }
            if (!deviceNames.Add(devices[i].Name!))
            {
                Fail($"devices[{i}].name", $"'{devices[i].Name}' is used twice");
            }
            if (string.IsNullOrWhiteSpace(devices[i].Type))
            {
                Fail($"devices[{i}].type", "required: the driver, e.g. \"dynamixel\"");
            }
            if (!StaleRecoveryField.TryParse(devices[i].StaleRecovery, out var rule, out string under, out string broken))
            {
                Fail($"devices[{i}].stale_recovery{under}", broken);
            }
            staleRecovery[devices[i].Name!] = rule;
            // Two drivers on one serial line would interleave their packets and read each other's answers.
            if (devices[i].Settings.ValueKind == System.Text.Json.JsonValueKind.Object
                && devices[i].Settings.TryGetProperty("port", out var port) && port.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                if (portUsers.TryGetValue(port.GetString()!, out string? user))
                {
                    Fail($"devices[{i}].settings.port", $"'{port.GetString()}' is already device '{user}''s: one port, one device");
                }
                portUsers[port.GetString()!] = devices[i].Name!;
            }
        }
        if (devices.Count == 0)
        {
            Fail("devices", "at least one device is needed");
        }

        ChannelRef Channel(string? text, string field)
        {
            int dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
            if (text is null || dot <= 0 || dot == text.Length - 1)
            {
                Fail(field, "required: \"device.channel\"");
            }
            var channel = new ChannelRef(text![..dot], text[(dot + 1)..]);
            if (!deviceNames.Contains(channel.Device))
            {
                Fail(field, $"no device named '{channel.Device}' (devices: {string.Join(", ", deviceNames)})");
            }
            return channel;
        }
        // What the device is sent is (action − offset) / scale in floats: every action between min and max (and the safe
        // value) must come out finite. Float arithmetic is monotonic, so the two ends decide it.
        void RequireFiniteOnTheDevice(ActionConfig a, string at)
        {
            foreach (double value in new[] { a.Min!.Value, a.Max!.Value })
            {
                float sent = ((float)value - (float)a.Offset) / (float)a.Scale;
                if (!float.IsFinite(sent))
                {
                    Fail($"{at}.scale", string.Create(c,
                        $"with offset {a.Offset}, the action {value} would be sent to {a.Target} as {sent}: a device must be sent finite numbers (scale and offset within a 32-bit float's range, scale not near 0)"));
                }
            }
        }
        // Scales and offsets are used as 32-bit floats: validated as what they become there.
        void RequireScale(double scale, string field)
        {
            if ((float)scale == 0 || !float.IsFinite((float)scale))
            {
                Fail(field, "must be a finite, non-zero number within a 32-bit float's range (1.2e-38 to 3.4e38 in size)");
            }
        }
        void RequireOffset(double offset, string field)
        {
            if (!float.IsFinite((float)offset))
            {
                Fail(field, "must be a finite number within a 32-bit float's range (±3.4e38)");
            }
        }

        var observationConfigs = config.Observations ?? [];
        if (observationConfigs.Count == 0)
        {
            Fail("observations", "at least one entry is needed");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var observations = new List<ObservationSpec>();
        var sources = new List<(ChannelRef, double, double)>();
        for (int i = 0; i < observationConfigs.Count; i++)
        {
            var o = observationConfigs[i];
            string at = $"observations[{i}]";
            if (string.IsNullOrWhiteSpace(o.Name) || !names.Add(o.Name))
            {
                Fail($"{at}.name", string.IsNullOrWhiteSpace(o.Name) ? "required" : $"'{o.Name}' is used twice");
            }
            if (string.IsNullOrWhiteSpace(o.Unit))
            {
                Fail($"{at}.unit", "required: an SI unit such as \"rad\", or \"1\"");
            }
            RequireScale(o.Scale, $"{at}.scale");
            RequireOffset(o.Offset, $"{at}.offset");
            if (o.MaxAgeMs is not { } age || !(age > 0) || age > MaxAgeLimitMs)
            {
                Fail($"{at}.max_age_ms", "required: how old a sample may be, in milliseconds (> 0, at most 3600000: an hour)");
            }
            var source = Channel(o.Source, $"{at}.source");
            sources.Add((source, o.Scale, o.Offset));
            observations.Add(new ObservationSpec(o.Name!, o.Unit!, (long)(o.MaxAgeMs!.Value * 1e6), source.Device, staleRecovery[source.Device]));
        }

        var actionConfigs = config.Actions ?? [];
        if (actionConfigs.Count == 0)
        {
            Fail("actions", "at least one entry is needed");
        }
        var discrete = config.DiscreteActions ?? [];
        if (discrete.Count == 1)
        {
            Fail("discrete_actions", "a discrete action space needs at least two actions");
        }
        if (discrete.Count > 0 && actionConfigs.Count != 1)
        {
            Fail("actions", "a robot with discrete_actions has exactly one action entry, the chosen index");
        }
        names.Clear();
        var teleop = new List<(ChannelRef, double, double, long)>();
        var actions = new List<ActionSpec>();
        var targets = new List<(ChannelRef, double, double)>();
        for (int i = 0; i < actionConfigs.Count; i++)
        {
            var a = actionConfigs[i];
            string at = $"actions[{i}]";
            if (string.IsNullOrWhiteSpace(a.Name) || !names.Add(a.Name))
            {
                Fail($"{at}.name", string.IsNullOrWhiteSpace(a.Name) ? "required" : $"'{a.Name}' is used twice");
            }
            if (string.IsNullOrWhiteSpace(a.Unit))
            {
                Fail($"{at}.unit", "required: an SI unit such as \"N*m\", or \"1\"");
            }
            RequireScale(a.Scale, $"{at}.scale");
            RequireOffset(a.Offset, $"{at}.offset");
            if (a.Min is not { } min || !double.IsFinite(min))
            {
                Fail($"{at}.min", "required: the lowest value the actuator may be sent");
            }
            if (a.Max is not { } max || !double.IsFinite(max) || max <= a.Min!.Value)
            {
                Fail($"{at}.max", string.Create(c, $"required, and must be greater than min ({a.Min})"));
            }
            // The loop works in 32-bit floats: a limit beyond their range would be infinite there, and no clamp at all.
            foreach (var (value, name) in new[] { (a.Min!.Value, "min"), (a.Max!.Value, "max"), (a.Safe ?? 0, "safe") })
            {
                if (!float.IsFinite((float)value))
                {
                    Fail($"{at}.{name}", string.Create(c, $"{value} is beyond a 32-bit float's range (±3.4e38), which the loop computes in"));
                }
            }
            RequireFiniteOnTheDevice(a, at);
            if (a.MaxRate is { } maxRate && !(maxRate > 0))
            {
                Fail($"{at}.max_rate", "must be positive (units per second), or absent for no limit");
            }
            if (discrete.Count > 0)
            {
                if (a.Min != 0 || a.Max != discrete.Count - 1)
                {
                    Fail($"{at}.min/max", $"with {discrete.Count} discrete actions the index runs from 0 to {discrete.Count - 1}");
                }
            }
            else if (a.Safe is not { } safe || safe < a.Min!.Value || safe > a.Max!.Value)
            {
                Fail($"{at}.safe", string.Create(c, $"required, within [{a.Min}, {a.Max}]: what to send when the robot must be made safe"));
            }
            targets.Add((Channel(a.Target, $"{at}.target"), a.Scale, a.Offset));
            if (a.Teleop is { } t)
            {
                RequireScale(t.Scale, $"{at}.teleop.scale");
                RequireOffset(t.Offset, $"{at}.teleop.offset");
                if (!(t.MaxAgeMs > 0) || t.MaxAgeMs > MaxAgeLimitMs)
                {
                    Fail($"{at}.teleop.max_age_ms", "must be positive, at most 3600000 (an hour)");
                }
                teleop.Add((Channel(t.Source, $"{at}.teleop.source"), t.Scale, t.Offset, (long)(t.MaxAgeMs * 1e6)));
            }

            actions.Add(new ActionSpec(a.Name!, a.Unit!, (float)a.Min!.Value, (float)a.Max!.Value,
                (float)(a.MaxRate ?? double.PositiveInfinity), discrete.Count > 0 ? -1 : (float)a.Safe!.Value));
        }

        if (teleop.Count > 0 && teleop.Count < actionConfigs.Count)
        {
            Fail($"actions[{actionConfigs.FindIndex(a => a.Teleop is null)}].teleop", "required once any action has one: a teleoperator drives every action");
        }
        var stops = new List<(ChannelRef, long)>();
        var stopConfigs = config.EmergencyStops ?? [];
        for (int i = 0; i < stopConfigs.Count; i++)
        {
            if (!(stopConfigs[i].MaxAgeMs > 0) || stopConfigs[i].MaxAgeMs > MaxAgeLimitMs)
            {
                Fail($"emergency_stops[{i}].max_age_ms", "must be positive, at most 3600000 (an hour)");
            }
            stops.Add((Channel(stopConfigs[i].Source, $"emergency_stops[{i}].source"), (long)(stopConfigs[i].MaxAgeMs * 1e6)));
        }

        var description = new RobotDescription(config.Name!, config.RateHz!.Value, observations, actions, discrete);
        return new ResolvedConfig(path, description, devices, sources, targets, teleop.Count == 0 ? null : teleop, stops);
    }
}
