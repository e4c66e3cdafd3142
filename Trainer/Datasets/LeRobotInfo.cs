using System.Globalization;
using System.Text.Json;

namespace Robotics.Trainer.Datasets;

/// <summary>One feature of a LeRobot dataset as <c>meta/info.json</c> declares it.</summary>
/// <param name="Names">Its entries' names: from a flat list, a one-category dict (<c>{"motors": [...]}</c>) or a
/// name→index dict, the three shapes LeRobot's writers produce; <c>name_0</c>, <c>name_1</c>… where it gives none.</param>
public sealed record LeRobotFeature(string Name, string DType, IReadOnlyList<int> Shape, IReadOnlyList<string> Names)
{
    /// <summary>Entries per frame: the product of the shape.</summary>
    public int Width => Shape.Aggregate(1, (product, size) => product * size);

    /// <summary>Camera features: their frames live in video files or images, not in the data's columns.</summary>
    public bool IsVisual => DType is "video" or "image";
}

/// <summary>
/// A LeRobot dataset's <c>meta/info.json</c>: its format version, rate and features (LeRobot's DatasetInfo,
/// <c>lerobot/datasets/utils.py</c>). Read for formats v3.0 (many episodes per data file) and v2.1 (one file per episode).
/// </summary>
public sealed record LeRobotInfo(string Path, string CodebaseVersion, double Fps, string? RobotType, IReadOnlyList<LeRobotFeature> Features, string DataPath)
{
    public const string V30 = "v3.0";
    public const string V21 = "v2.1";

    public static IReadOnlyList<string> Versions { get; } = [V30, V21];

    public LeRobotFeature? Feature(string name) => Features.FirstOrDefault(f => f.Name == name);

    /// <summary>Reads <c>meta/info.json</c> of the dataset at <paramref name="root"/>; one error naming the file and the key when it is not one.</summary>
    public static LeRobotInfo Read(string root)
    {
        string path = System.IO.Path.Combine(root, "meta", "info.json");
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{root}: not a LeRobot dataset: no meta/info.json");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON: {e.Message}");
        }
        using (document)
        {
            var json = document.RootElement;
            if (json.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: not a JSON object");
            }
            string version = String(json, path, "codebase_version");
            if (!Versions.Contains(version))
            {
                throw new InvalidDataException($"{path}: codebase_version '{version}' is not one this trainer reads ({string.Join(", ", Versions)})");
            }
            if (!json.TryGetProperty("fps", out var fps) || fps.ValueKind != JsonValueKind.Number || !(fps.GetDouble() > 0))
            {
                throw new InvalidDataException($"{path}: fps must be a number of frames a second above 0");
            }
            if (!json.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: features must be an object of name → {{dtype, shape, names}}");
            }
            string? robotType = json.TryGetProperty("robot_type", out var robot) && robot.ValueKind == JsonValueKind.String ? robot.GetString() : null;
            return new LeRobotInfo(path, version, fps.GetDouble(), robotType,
                [.. features.EnumerateObject().Select(f => Feature(path, f))], String(json, path, "data_path"));
        }
    }

    private static string String(JsonElement json, string path, string key) =>
        json.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidDataException($"{path}: {key} must be a non-empty string");

    private static LeRobotFeature Feature(string path, JsonProperty feature)
    {
        string where = $"{path}: features.{feature.Name}";
        var value = feature.Value;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: must be an object with dtype, shape and names");
        }
        string dtype = value.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : throw new InvalidDataException($"{where}.dtype: missing");
        if (!value.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array || s.GetArrayLength() == 0
            || s.EnumerateArray().Any(size => size.ValueKind != JsonValueKind.Number || !size.TryGetInt32(out int n) || n < 1))
        {
            throw new InvalidDataException($"{where}.shape: must be a list of sizes of at least 1");
        }
        int[] shape = [.. s.EnumerateArray().Select(size => size.GetInt32())];
        int width = shape.Aggregate(1, (product, size) => product * size);
        var names = value.TryGetProperty("names", out var n) ? Names(n, where) : null;
        bool visual = dtype is "video" or "image";
        if (names is not null && !visual && names.Count != width)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{where}.names: {names.Count} names for a shape of {width} entries"));
        }
        return new LeRobotFeature(feature.Name, dtype, shape,
            !visual && names is not null ? names : [.. Enumerable.Range(0, width).Select(i => string.Create(CultureInfo.InvariantCulture, $"{feature.Name}_{i}"))]);
    }

    /// <summary>The names in any of LeRobot's three shapes; null when there are none (<c>null</c>, or absent).</summary>
    private static List<string>? Names(JsonElement names, string where)
    {
        switch (names.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array when names.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                return [.. names.EnumerateArray().Select(e => e.GetString()!)];
            case JsonValueKind.Object when names.EnumerateObject().Count() == 1 && names.EnumerateObject().Single().Value.ValueKind == JsonValueKind.Array:
                return Names(names.EnumerateObject().Single().Value, where);
            case JsonValueKind.Object when names.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Number):
                var byIndex = names.EnumerateObject().OrderBy(p => p.Value.GetInt32()).ToList();
                if (byIndex.Select((p, i) => p.Value.GetInt32() == i).Any(ok => !ok))
                {
                    throw new InvalidDataException($"{where}.names: the indices must run 0, 1, 2… without gaps");
                }
                return [.. byIndex.Select(p => p.Name)];
            default:
                throw new InvalidDataException($"{where}.names: must be a list of names, {{\"category\": [names]}} or {{name: index}}");
        }
    }
}
