using System.Globalization;

namespace Robotics.Trainer.Datasets;

/// <summary>One <c>obs/&lt;key&gt;</c> of a robomimic file, as its first demo holds it (robomimic takes shapes from there too).</summary>
/// <param name="Type">numpy's name for its element type (<c>float64</c>, <c>uint8</c>).</param>
/// <param name="Shape">Its shape, frames first.</param>
/// <param name="Names">Its columns' signal names, when the file records them (<see cref="RobomimicMarkers.Names"/>).</param>
public sealed record RobomimicObsKey(string Name, string Type, bool IsFloat, IReadOnlyList<ulong> Shape, IReadOnlyList<string>? Names = null)
{
    /// <summary>Float <c>[T]</c> or <c>[T, d]</c>: a vector per frame. Images (<c>[T, H, W, C]</c> uint8) and the like are not.</summary>
    public bool IsLowDimensional => IsFloat && Shape.Count is 1 or 2;

    /// <summary>Entries per frame.</summary>
    public int Width => Shape.Count == 1 ? 1 : (int)Shape[1];

    /// <summary>
    /// The observation entries it makes: the names the file records, else <c>key</c> when it is one number a frame,
    /// else <c>key_0</c>, <c>key_1</c>…
    /// </summary>
    public IEnumerable<string> SignalNames => Names ?? (Width == 1 ? [Name] : Enumerable.Range(0, Width).Select(i => string.Create(CultureInfo.InvariantCulture, $"{Name}_{i}")));

    public string Describe() => $"{Type} [{string.Join(", ", Shape.Select((size, i) => i == 0 ? "T" : size.ToString(CultureInfo.InvariantCulture)))}]";
}

/// <summary>Which obs keys of a robomimic file make the observation: those <c>--obs-keys</c> names, in its order, or every low-dimensional key by name.</summary>
public static class RobomimicObsKeys
{
    public const string Option = "--obs-keys";

    /// <summary>The option's comma-separated keys; one error naming the option for an empty or repeated key.</summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        var keys = text.Split(',').Select(k => k.Trim()).ToList();
        if (keys.Any(k => k.Length == 0))
        {
            throw new ArgumentException($"{Option}: got '{text}'; it must be obs keys separated by commas, e.g. robot0_eef_pos,object");
        }
        if (keys.GroupBy(k => k, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new ArgumentException($"{Option}: got '{text}'; {repeated.Key} is named twice");
        }
        return keys;
    }

    /// <param name="path">The file, which an error names.</param>
    /// <param name="named">The keys <c>--obs-keys</c> gave; null for the default, every low-dimensional key sorted by name.</param>
    public static (IReadOnlyList<RobomimicObsKey> Used, IReadOnlyList<RobomimicObsKey> LeftOut) Choose(string path, IReadOnlyList<RobomimicObsKey> keys, IReadOnlyList<string>? named)
    {
        if (named is null)
        {
            var used = keys.Where(k => k.IsLowDimensional).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();
            if (used.Count == 0)
            {
                throw new InvalidDataException($"{path}: no low-dimensional obs key (float [T] or [T, d]) to learn from; its obs keys: {List(keys)}");
            }
            return (used, [.. keys.Where(k => !k.IsLowDimensional)]);
        }
        var chosen = new List<RobomimicObsKey>();
        foreach (string name in named)
        {
            var key = keys.FirstOrDefault(k => k.Name == name)
                ?? throw new InvalidDataException($"{Option}: {path} has no obs key {name}; its obs keys: {List(keys)}");
            chosen.Add(key.IsLowDimensional
                ? key
                : throw new InvalidDataException($"{Option}: {path}: obs/{name} is {key.Describe()}, not low-dimensional: the trainer learns from float [T] or [T, d] keys"));
        }
        return (chosen, [.. keys.Where(k => !k.IsLowDimensional)]);
    }

    private static string List(IReadOnlyList<RobomimicObsKey> keys) =>
        keys.Count == 0 ? "none" : string.Join(", ", keys.Select(k => $"{k.Name} ({k.Describe()})"));
}
