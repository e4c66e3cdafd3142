using System.Globalization;
using System.Text.RegularExpressions;

namespace Robotics.Tests.Support;

/// <summary>
/// Robot configs for tests whose subject is not sample ageing. The suite runs on a loaded 2-core machine, where a
/// garbage collection of the test host or a late device thread can hold a sample back by tens of milliseconds; with a
/// robot's real limits (20–100 ms) that is a stale fault the test did not mean to provoke.
/// </summary>
public static partial class LenientAges
{
    /// <summary>Long enough for any pause of a loaded test host, short enough that a dead device still faults within a test's patience.</summary>
    public const int MaxAgeMs = 5000;

    /// <summary>The config text with every <c>max_age_ms</c> set to <see cref="MaxAgeMs"/>.</summary>
    public static string Of(string configText)
    {
        string lenient = MaxAgeField().Replace(configText, $"\"max_age_ms\": {MaxAgeMs.ToString(CultureInfo.InvariantCulture)}");
        if (lenient == configText)
        {
            throw new ArgumentException("the config has no max_age_ms to relax", nameof(configText));
        }
        return lenient;
    }

    [GeneratedRegex("\"max_age_ms\"\\s*:\\s*[0-9.eE+-]+")]
    private static partial Regex MaxAgeField();
}
