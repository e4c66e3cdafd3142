using System.Text.Json;

namespace Robotics.Hardware.Devices;

/// <summary>A device's settings that a driver cannot use, naming the field; the registry adds the file and the device.</summary>
public sealed class DeviceSettingsException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Reads a driver's <c>settings</c> object (or one object inside it, with <paramref name="prefix"/> naming where
/// it sits, e.g. "channels[2].") with one clear error per bad field.
/// </summary>
public readonly struct DeviceSettings(JsonElement settings, string prefix = "")
{
    public string RequiredString(string field) =>
        TryGet(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw Error(field, "required, a non-empty string");

    /// <summary>One of <paramref name="allowed"/> (compared ignoring case), or <paramref name="fallback"/> when absent.</summary>
    public string Choice(string field, string fallback, params string[] allowed)
    {
        if (!TryGet(field, out var value))
        {
            return fallback;
        }
        string? text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase))
            ?? throw Error(field, $"must be one of {string.Join(", ", allowed)}");
    }

    public int WholeNumber(string field, int fallback, int min, int max)
    {
        if (!TryGet(field, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= min && number <= max
            ? number
            : throw Error(field, $"must be a whole number from {min} to {max}");
    }

    /// <summary>A whole number that must be given.</summary>
    public int RequiredWholeNumber(string field, int min, int max) =>
        TryGet(field, out _) ? WholeNumber(field, 0, min, max) : throw Error(field, $"required, a whole number from {min} to {max}");

    /// <summary>A whole number given as a number or as a hexadecimal string ("0x68"), as chip addresses are written.</summary>
    public int Address(string field, int fallback, int min, int max)
    {
        if (!TryGet(field, out var value) || value.ValueKind == JsonValueKind.Number)
        {
            return WholeNumber(field, fallback, min, max);
        }
        string text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out int number) && number >= min && number <= max
            ? number
            : throw Error(field, $"must be a number or a hexadecimal string from 0x{min:X2} to 0x{max:X2}");
    }

    public double Number(string field, double fallback, double min, double max)
    {
        if (!TryGet(field, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && number >= min && number <= max
            ? number
            : throw Error(field, $"must be a number from {min} to {max}");
    }

    /// <summary>A number that must be one of a chip's settings, e.g. a full-scale range; its meaning from <paramref name="options"/>.</summary>
    public T OneOf<T>(string field, double fallback, params (double Value, T Meaning)[] options)
    {
        double number = Number(field, fallback, double.MinValue, double.MaxValue);
        foreach (var (value, meaning) in options)
        {
            if (value == number)
            {
                return meaning;
            }
        }
        throw Error(field, $"must be one of {string.Join(", ", options.Select(o => o.Value))}");
    }

    public bool Flag(string field, bool fallback)
    {
        if (!TryGet(field, out var value))
        {
            return fallback;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, "must be true or false"),
        };
    }

    public byte[] Bytes(string field, int min, int max)
    {
        var items = Items(field);
        var bytes = new byte[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            bytes[i] = items[i].ValueKind == JsonValueKind.Number && items[i].TryGetInt32(out int number) && number >= min && number <= max
                ? (byte)number
                : throw Error($"{field}[{i}]", $"must be a whole number from {min} to {max}");
        }
        if (bytes.Distinct().Count() != bytes.Length)
        {
            throw Error(field, "lists a number twice");
        }
        return bytes;
    }

    /// <summary>
    /// The objects of a non-empty list (required, unless <paramref name="optional"/>: then absent is empty), each
    /// read by <paramref name="read"/> with its own settings (whose errors name "field[i].x"); <paramref name="key"/>
    /// must not repeat.
    /// </summary>
    public T[] Objects<T>(string field, Func<DeviceSettings, T> read, Func<T, object> key, bool optional = false)
    {
        if (optional && !TryGet(field, out _))
        {
            return [];
        }
        var items = Items(field);
        var result = new T[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].ValueKind != JsonValueKind.Object)
            {
                throw Error($"{field}[{i}]", "must be an object");
            }
            result[i] = read(new DeviceSettings(items[i], $"{prefix}{field}[{i}]."));
            if (result.Take(i).Any(r => Equals(key(r), key(result[i]))))
            {
                throw Error($"{field}[{i}]", $"repeats {key(result[i])}");
            }
        }
        return result;
    }

    private List<JsonElement> Items(string field) =>
        TryGet(field, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0
            ? [.. value.EnumerateArray()]
            : throw Error(field, "required, a non-empty list");

    private bool TryGet(string field, out JsonElement value)
    {
        value = default;
        return settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(field, out value);
    }

    private DeviceSettingsException Error(string field, string message) => new($"{prefix}{field}", message);
}
