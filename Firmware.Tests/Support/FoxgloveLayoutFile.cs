using System.Text.Json;
using System.Text.RegularExpressions;

namespace Robotics.Tests.Support;

/// <summary>
/// One message path of a layout's panel, split as Foxglove reads the forms the shipped layout uses:
/// <c>/topic</c>, <c>/topic.field</c> and <c>/topic.field[index]</c>.
/// </summary>
public sealed record LayoutPath(string PanelId, string Value, string? Label, string Topic, string? Field, int? Index);

/// <summary>The Foxglove layout shipped for the simulated arm (docs/foxglove/sim-reach.json), read as the app reads it.</summary>
public static partial class FoxgloveLayoutFile
{
    /// <summary>
    /// The output topic prefix Foxglove Studio and Lichtblick require of a User Script (today's Foxglove takes any
    /// topic), so the layout works in all three.
    /// </summary>
    public const string ScriptPrefix = "/studio_script/";

    public static string SimReach => Path.Combine(RepoPaths.Root, "docs", "foxglove", "sim-reach.json");

    public static JsonElement Read(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();

    /// <summary>The part of a panel id before '!', which names the panel type (Foxglove's getPanelTypeFromId).</summary>
    public static string PanelType(string panelId) => panelId[..panelId.IndexOf('!', StringComparison.Ordinal)];

    /// <summary>Every message path of every panel: Plot and State Transitions series, and Raw Messages' topic path.</summary>
    public static IReadOnlyList<LayoutPath> Paths(JsonElement layout)
    {
        var paths = new List<LayoutPath>();
        foreach (var panel in layout.GetProperty("configById").EnumerateObject())
        {
            if (panel.Value.TryGetProperty("paths", out var series))
            {
                paths.AddRange(series.EnumerateArray().Select(item => Parse(panel.Name, item.GetProperty("value").GetString()!,
                    item.TryGetProperty("label", out var label) ? label.GetString() : null)));
            }
            if (panel.Value.TryGetProperty("topicPath", out var topicPath))
            {
                paths.Add(Parse(panel.Name, topicPath.GetString()!, null));
            }
        }
        return paths;
    }

    private static LayoutPath Parse(string panelId, string value, string? label)
    {
        var match = PathSyntax().Match(value);
        Assert.True(match.Success, $"{panelId}: message path \"{value}\" is not /topic, /topic.field or /topic.field[index]");
        return new LayoutPath(panelId, value, label, match.Groups["topic"].Value,
            match.Groups["field"].Success ? match.Groups["field"].Value : null,
            match.Groups["index"].Success ? int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    [GeneratedRegex(@"^(?<topic>(/[A-Za-z0-9_]+)+)(\.(?<field>[A-Za-z_][A-Za-z0-9_]*)(\[(?<index>[0-9]+)\])?)?$")]
    private static partial Regex PathSyntax();
}
