using System.Globalization;

namespace Robotics.Controller.Cli;

/// <summary>Durations as people type them: 500ms, 30s, 2m, 1h (a bare number is seconds).</summary>
public static class DurationParser
{
    /// <summary>The longest duration taken: a century, far beyond any run, well inside what TimeSpan and the loop's nanosecond clock hold.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(36_500);

    public static TimeSpan Parse(string text, string option = "--duration")
    {
        string trimmed = text.Trim();
        (string number, double scale) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.Ordinal) => (trimmed[..^2], 1e-3),
            _ when trimmed.EndsWith('s') => (trimmed[..^1], 1),
            _ when trimmed.EndsWith('m') => (trimmed[..^1], 60),
            _ when trimmed.EndsWith('h') => (trimmed[..^1], 3600),
            _ => (trimmed, 1),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentException($"{option}: '{text}' is not a duration such as 500ms, 30s, 2m or 1h");
        }
        if (value * scale > Longest.TotalSeconds)
        {
            throw new ArgumentException($"{option}: '{text}' is longer than the longest duration taken, 36500 days");
        }
        return TimeSpan.FromSeconds(value * scale);
    }

    /// <summary>A number of seconds given as <paramref name="option"/>: more than 0, at most <paramref name="atMost"/> (a century unless said).</summary>
    public static TimeSpan Seconds(double seconds, string option, double? atMost = null)
    {
        double limit = atMost ?? Longest.TotalSeconds;
        if (!(seconds > 0) || seconds > limit)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option}: must be more than 0 and at most {limit} seconds, got {seconds}"));
        }
        return TimeSpan.FromSeconds(seconds);
    }
}
