using System.Globalization;
using Google.Protobuf.Collections;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Trainer.Data;

/// <summary>
/// What the trainer accepts in an episode's start record. A log written by the controller always passes; a
/// damaged or foreign one may not, and a policy trained on it would carry its rate and sizes to a robot (a NaN
/// rate, a network a million inputs wide), so such a log is refused before anything is trained.
/// </summary>
public static class EpisodeRules
{
    /// <summary>Observation entries: a robot's proprioception and task state is tens to hundreds.</summary>
    public const int MaxObservations = 4096;

    /// <summary>Continuous action entries: one per actuator.</summary>
    public const int MaxActions = 256;

    /// <summary>Discrete actions a categorical policy chooses among.</summary>
    public const int MaxDiscreteActions = 1024;

    /// <summary>Why the trainer refuses an episode with this start, or null when it accepts it.</summary>
    public static string? Problem(EpisodeStart start)
    {
        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(start.ControlRateHz) || start.ControlRateHz <= 0)
        {
            return string.Create(c, $"its control rate is {start.ControlRateHz} Hz; it must be a positive number of hertz");
        }
        return Count("observations", start.Observations.Count, 1, MaxObservations)
            ?? Count("actions", start.Actions.Count, 1, MaxActions)
            ?? (start.DiscreteActions.Count > 0 ? Count("discrete actions", start.DiscreteActions.Count, 2, MaxDiscreteActions) : null)
            ?? (start.DiscreteActions.Count > 0 && start.Actions.Count != 1
                ? $"it has {start.DiscreteActions.Count} discrete actions and {start.Actions.Count} action entries; a discrete action space records exactly one, the chosen index"
                : null)
            ?? Names("observation", start.Observations)
            ?? Names("action", start.Actions);
    }

    private static string? Count(string what, int count, int min, int max) => count >= min && count <= max
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"it has {count} {what}; the trainer takes {min} to {max}");

    private static string? Names(string what, RepeatedField<SignalInfo> signals)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < signals.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(signals[i].Name))
            {
                return $"its {what} {i} has no name; the policy matches entries to the robot's by name";
            }
            if (!seen.Add(signals[i].Name))
            {
                return $"its {what} name '{signals[i].Name}' appears twice; the policy matches entries to the robot's by name";
            }
        }
        return null;
    }
}
