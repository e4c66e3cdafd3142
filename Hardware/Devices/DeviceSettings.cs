using System.Globalization;
using System.Text.Json;

namespace Robotics.Hardware.Devices;

/// <summary>A device's settings that a driver cannot use, naming the field; the registry adds the file and the device.</summary>
public sealed class DeviceSettingsException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Reads a driver's <c>settings</c> object with one clear error per bad field. An object inside the settings
/// (an entry of a list of objects) is read the same way, its errors naming the path to it, e.g. "axes[1].min".
/// </summary>
/// <param name="prefix">The path to this object from the settings, ending in a dot; empty for the settings themselves.</param>
public readonly struct DeviceSettings(JsonElement settings, string prefix = "")
{
    /// <summary>The field's name as an error gives it: its path from the settings.</summary>
    public string Field(string field) => prefix + field;

    /// <summary>The field's value, if it is given.</summary>
    public bool TryGet(string field, out JsonElement value)
    {
        value = default;
        return settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(field, out value);
    }

    /// <summary>Refuses a field the driver does not know (a misspelt option would otherwise be silently ignored).</summary>
    public void OnlyKnown(params string[] fields)
    {
        if (settings.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var property in settings.EnumerateObject())
        {
            if (!fields.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new DeviceSettingsException(Field(property.Name), $"unknown setting (known: {string.Join(", ", fields)})");
            }
        }
    }

    public string RequiredString(string field) =>
        TryGet(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new DeviceSettingsException(Field(field), "required, a non-empty string");

    public int WholeNumber(string field, int fallback, int min, int max) => OptionalWholeNumber(field, min, max) ?? fallback;

    /// <summary>The number, or null when the field is absent.</summary>
    public int? OptionalWholeNumber(string field, int min, int max)
    {
        if (!TryGet(field, out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= min && number <= max
            ? number
            : throw new DeviceSettingsException(Field(field), $"must be a whole number from {min} to {max}");
    }

    /// <summary>A whole number that must be given.</summary>
    public int RequiredWholeNumber(string field, int min, int max) =>
        OptionalWholeNumber(field, min, max) ?? throw new DeviceSettingsException(Field(field), $"required, a whole number from {min} to {max}");

    /// <summary>A whole number given as a number or as a hexadecimal string ("0x68"), as chip addresses are written.</summary>
    public int Address(string field, int fallback, int min, int max)
    {
        if (!TryGet(field, out var value) || value.ValueKind == JsonValueKind.Number)
        {
            return WholeNumber(field, fallback, min, max);
        }
        string text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int number) && number >= min && number <= max
            ? number
            : throw new DeviceSettingsException(Field(field), $"must be a number or a hexadecimal string from 0x{min:X2} to 0x{max:X2}");
    }

    /// <summary>One of <paramref name="allowed"/> (compared ignoring case), or <paramref name="fallback"/> when absent.</summary>
    public string Choice(string field, string fallback, params string[] allowed)
    {
        if (!TryGet(field, out var value))
        {
            return fallback;
        }
        string? text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase))
            ?? throw new DeviceSettingsException(Field(field), $"must be one of {string.Join(", ", allowed)}");
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
        throw new DeviceSettingsException(Field(field), string.Create(CultureInfo.InvariantCulture, $"must be one of {string.Join(", ", options.Select(o => o.Value))}"));
    }

    public double Number(string field, double fallback, double min, double max)
    {
        if (!TryGet(field, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number && value.GetDouble() is var number && number >= min && number <= max
            ? number
            : throw new DeviceSettingsException(Field(field), string.Create(CultureInfo.InvariantCulture, $"must be a number from {min} to {max}"));
    }

    public bool Flag(string field, bool fallback)
    {
        if (!TryGet(field, out var value))
        {
            return fallback;
        }
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new DeviceSettingsException(Field(field), "must be true or false");
    }

    /// <summary>The entries of a list (none when the field is absent), each with its path, e.g. "keys[2]".</summary>
    public IReadOnlyList<(JsonElement Value, string Field)> List(string field)
    {
        if (!TryGet(field, out var value))
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new DeviceSettingsException(Field(field), "must be a list [...]");
        }
        string path = Field(field);
        return [.. value.EnumerateArray().Select((item, i) => (item, $"{path}[{i}]"))];
    }

    /// <summary>The entries of a list of objects (none when the field is absent), each read as settings of its own.</summary>
    public IReadOnlyList<DeviceSettings> Objects(string field) =>
        [.. List(field).Select(entry => entry.Value.ValueKind == JsonValueKind.Object
            ? new DeviceSettings(entry.Value, entry.Field + ".")
            : throw new DeviceSettingsException(entry.Field, "must be an object {...}"))];

    /// <summary>
    /// A list of objects read by <paramref name="read"/> (required and non-empty, unless <paramref name="optional"/>:
    /// then absent is empty), in which <paramref name="key"/> must not repeat.
    /// </summary>
    public T[] Objects<T>(string field, Func<DeviceSettings, T> read, Func<T, object> key, bool optional = false)
    {
        var objects = Objects(field);
        if (objects.Count == 0 && !optional)
        {
            throw new DeviceSettingsException(Field(field), "required, a non-empty list");
        }
        var result = new T[objects.Count];
        for (int i = 0; i < objects.Count; i++)
        {
            result[i] = read(objects[i]);
            if (result.Take(i).Any(r => Equals(key(r), key(result[i]))))
            {
                throw new DeviceSettingsException(Field($"{field}[{i}]"), $"repeats {key(result[i])}");
            }
        }
        return result;
    }

    public byte[] Bytes(string field, int min, int max)
    {
        if (!TryGet(field, out var value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new DeviceSettingsException(Field(field), "required, a non-empty list of numbers");
        }
        var bytes = new byte[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            bytes[i++] = item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out int number) && number >= min && number <= max
                ? (byte)number
                : throw new DeviceSettingsException(Field($"{field}[{i - 1}]"), $"must be a whole number from {min} to {max}");
        }
        if (bytes.Distinct().Count() != bytes.Length)
        {
            throw new DeviceSettingsException(Field(field), "lists a number twice");
        }
        return bytes;
    }

    /// <summary>
    /// A list of distinct non-empty names (a device's channels, say), at most <paramref name="max"/>; an absent
    /// field is an empty list unless it is <paramref name="required"/>.
    /// </summary>
    public string[] Names(string field, bool required, int max)
    {
        if (!TryGet(field, out var value))
        {
            return required ? throw new DeviceSettingsException(Field(field), "required, a non-empty list of names") : [];
        }
        if (value.ValueKind != JsonValueKind.Array || (required && value.GetArrayLength() == 0))
        {
            throw new DeviceSettingsException(Field(field), required ? "required, a non-empty list of names" : "must be a list of names");
        }
        if (value.GetArrayLength() > max)
        {
            throw new DeviceSettingsException(Field(field), $"at most {max} names");
        }
        var names = new string[value.GetArrayLength()];
        int i = 0;
        foreach (var item in value.EnumerateArray())
        {
            names[i++] = item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } name
                ? name
                : throw new DeviceSettingsException(Field($"{field}[{i - 1}]"), "must be a non-empty string");
        }
        RequireUnique(field, names);
        return names;
    }

    /// <summary>Refuses a channel name given twice (a device's channels are looked up by name).</summary>
    public void RequireUnique(string field, IEnumerable<string> names)
    {
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new DeviceSettingsException(Field(field), $"lists '{twice.Key}' twice");
        }
    }
}
