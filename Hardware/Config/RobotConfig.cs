using System.Text.Json;
using System.Text.Json.Serialization;

namespace Robotics.Hardware.Config;

/// <summary>A robot config file (docs/robot-config.md): devices, and how their channels make the observation and action vectors.</summary>
/// <remarks>
/// Read by a source-generated reader (<see cref="RobotConfigJson"/>). A field with a default other than zero has a
/// setter, not an init accessor: the generated reader passes every init-only property to the object initializer, so a
/// field missing from the file would be set to zero over its default.
/// </remarks>
public sealed record RobotConfig
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("rate_hz")]
    public double? RateHz { get; init; }

    [JsonPropertyName("devices")]
    public List<DeviceConfig>? Devices { get; init; }

    [JsonPropertyName("observations")]
    public List<ObservationConfig>? Observations { get; init; }

    [JsonPropertyName("actions")]
    public List<ActionConfig>? Actions { get; init; }

    [JsonPropertyName("discrete_actions")]
    public List<string>? DiscreteActions { get; init; }

    [JsonPropertyName("emergency_stops")]
    public List<EmergencyStopConfig>? EmergencyStops { get; init; }
}

/// <summary>A device input that stops the robot: an e-stop button, a bumper. Active (≥ 0.5) or stale latches the stop.</summary>
public sealed record EmergencyStopConfig
{
    /// <summary>"device.channel".</summary>
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    /// <summary>Oldest acceptable sample, in milliseconds: a stop input that cannot be read counts as pressed.</summary>
    [JsonPropertyName("max_age_ms")]
    public double MaxAgeMs { get; set; } = 50;
}

/// <summary>One device: its name, its driver, and the driver's own settings (port, address, ids...).</summary>
public sealed record DeviceConfig
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("settings")]
    public JsonElement Settings { get; init; }

    /// <summary>How a stale fault on one of its observations clears: "operator" (absent) or { "fresh_ticks": N }; see <see cref="StaleRecoveryField"/>.</summary>
    [JsonPropertyName("stale_recovery")]
    public JsonElement StaleRecovery { get; init; }
}

/// <summary>A device input read into a vector entry: value = channel × scale + offset.</summary>
public abstract record ChannelSource
{
    /// <summary>"device.channel".</summary>
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    [JsonPropertyName("scale")]
    public double Scale { get; set; } = 1;

    [JsonPropertyName("offset")]
    public double Offset { get; init; }
}

/// <summary>An observation entry: value = device input × scale + offset.</summary>
public sealed record ObservationConfig : ChannelSource
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("unit")]
    public string? Unit { get; init; }

    /// <summary>Oldest acceptable sample, in milliseconds.</summary>
    [JsonPropertyName("max_age_ms")]
    public double? MaxAgeMs { get; init; }
}

/// <summary>Where a teleoperator's value for an action comes from (e.g. a leader arm's joint position).</summary>
public sealed record TeleopConfig : ChannelSource
{
    /// <summary>Oldest acceptable sample, in milliseconds; older, and the robot gets its safe action.</summary>
    [JsonPropertyName("max_age_ms")]
    public double MaxAgeMs { get; set; } = 100;
}

/// <summary>An action entry: device output = (action − offset) / scale, within [min, max] and max_rate.</summary>
public sealed record ActionConfig
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("unit")]
    public string? Unit { get; init; }

    /// <summary>"device.channel".</summary>
    [JsonPropertyName("target")]
    public string? Target { get; init; }

    /// <summary>The teleoperator's source for this action (a leader arm); absent when there is none.</summary>
    [JsonPropertyName("teleop")]
    public TeleopConfig? Teleop { get; init; }

    [JsonPropertyName("min")]
    public double? Min { get; init; }

    [JsonPropertyName("max")]
    public double? Max { get; init; }

    /// <summary>Largest change per second; absent for none.</summary>
    [JsonPropertyName("max_rate")]
    public double? MaxRate { get; init; }

    [JsonPropertyName("safe")]
    public double? Safe { get; init; }

    [JsonPropertyName("scale")]
    public double Scale { get; set; } = 1;

    [JsonPropertyName("offset")]
    public double Offset { get; init; }
}
