using System.Globalization;

namespace Robotics.Trainer.Reports;

/// <summary>A count and its noun, singular for one ("1 help request", "3 help requests"), in figures a report prints.</summary>
public static class Counted
{
    public static string Of(long count, string singular, string? plural = null) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural ?? singular + "s");
}
