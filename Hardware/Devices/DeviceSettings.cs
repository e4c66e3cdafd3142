using System.Text.Json;

namespace Robotics.Hardware.Devices;

/// <summary>A device's settings that a driver cannot use, naming the field; the registry adds the file and the device.</summary>
public sealed class DeviceSettingsException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Reads a driver's <c>settings</c> object with one clear error per bad field.</summary>
public readonly struct DeviceSettings(JsonElement settings)
{
    public string RequiredString(string field) =>
        settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new DeviceSettingsException(field, "required, a non-empty string");

    public int WholeNumber(string field, int fallback, int min, int max)
    {
        if (settings.ValueKind != JsonValueKind.Object || !settings.TryGetProperty(field, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= min && number <= max
            ? number
            : throw new DeviceSettingsException(field, $"must be a whole number from {min} to {max}");
    }

    public byte[] Bytes(string field, int min, int max)
    {
        if (settings.ValueKind != JsonValueKind.Object || !settings.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new DeviceSettingsException(field, "required, a non-empty list of numbers");
        }
        var bytes = new byte[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            bytes[i++] = item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out int number) && number >= min && number <= max
                ? (byte)number
                : throw new DeviceSettingsException($"{field}[{i - 1}]", $"must be a whole number from {min} to {max}");
        }
        if (bytes.Distinct().Count() != bytes.Length)
        {
            throw new DeviceSettingsException(field, "lists a number twice");
        }
        return bytes;
    }

    /// <summary>
    /// A list of distinct non-empty names (a device's channels, say), at most <paramref name="max"/>; an absent
    /// field is an empty list unless it is <paramref name="required"/>.
    /// </summary>
    public string[] Names(string field, bool required, int max)
    {
        if (settings.ValueKind != JsonValueKind.Object || !settings.TryGetProperty(field, out var value))
        {
            return required ? throw new DeviceSettingsException(field, "required, a non-empty list of names") : [];
        }
        if (value.ValueKind != JsonValueKind.Array || (required && value.GetArrayLength() == 0))
        {
            throw new DeviceSettingsException(field, required ? "required, a non-empty list of names" : "must be a list of names");
        }
        if (value.GetArrayLength() > max)
        {
            throw new DeviceSettingsException(field, $"at most {max} names");
        }
        var names = new string[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            names[i++] = item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } name
                ? name
                : throw new DeviceSettingsException($"{field}[{i - 1}]", "must be a non-empty string");
        }
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new DeviceSettingsException(field, $"lists '{twice.Key}' twice");
        }
        return names;
    }
}
