using System.Text.Json;
using System.Text.Json.Nodes;

namespace Robotics.Controller.CommandLine;

/// <summary>
/// Where a command writes: human-readable lines to stdout, problems to stderr, and with <c>--json</c> its
/// summary as one JSON object on the last line of stdout, for scripts.
/// </summary>
public sealed class CommandOutput(TextWriter stdout, TextWriter stderr, bool json)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public bool Json { get; } = json;

    public void Line(string text = "") => stdout.WriteLine(text);

    public void Warning(string text) => stderr.WriteLine("warning: " + text);

    public void Error(string text) => stderr.WriteLine("error: " + text);

    /// <summary>A problem line as another process wrote it (its own "error: " or "warning: " prefix kept).</summary>
    public void Problem(string text) => stderr.WriteLine(text);

    /// <summary>Ends the command: with --json, prints <paramref name="summary"/> as the last stdout line.</summary>
    public void Summary(JsonObject summary)
    {
        if (Json)
        {
            stdout.WriteLine(summary.ToJsonString(Compact));
        }
    }
}
