using System.Globalization;
using PureHDF;
using Robotics.Protos.Log;
using Robotics.Trainer.Data;
using Robotics.Trainer.Logs;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// Reads the markers of one demo (<see cref="RobomimicMarkers"/>): each frame's source, from <c>source</c> or else
/// Sirius's <c>intv_labels</c>; each frame's operator; the episode's outcome. A marker that is there but malformed is
/// one error naming the file, the demo and the field: a wrong source would train on the policy's own actions.
/// </summary>
internal static class RobomimicDemoMarkers
{
    /// <summary>Each frame's source; empty when the demo records none (robomimic's demos are an expert's: all teleop).</summary>
    public static ActionSource[] Sources(IH5Group demo, string where, int frames)
    {
        if (demo.LinkExists(RobomimicMarkers.Source))
        {
            var names = Strings(demo, where, RobomimicMarkers.Source, frames);
            return [.. names.Select((name, frame) => LogSummary.SourceOf(name) ?? throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{where}/{RobomimicMarkers.Source}[{frame}] is '{name}', not one of teleop, policy, override, safety, unspecified")))];
        }
        if (demo.LinkExists(RobomimicMarkers.InterventionLabels) && demo.Get(RobomimicMarkers.InterventionLabels) is IH5Dataset labels)
        {
            string field = $"{where}/{RobomimicMarkers.InterventionLabels}";
            var values = RobomimicArrays.ReadFloats(labels, field);
            RequireFrames(field, values.Length, frames);
            return [.. values.Select((label, frame) => RobomimicMarkers.SourceOfSiriusLabel(label) ?? throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{field}[{frame}] is {label}, not one of Sirius's labels -1 (demo), 0 (robot), 1 (intervention), -10 (pre-intervention)")))];
        }
        return [];
    }

    /// <summary>Who drove each frame; empty when the demo names nobody.</summary>
    public static string[] Operators(IH5Group demo, string where, int frames) =>
        demo.LinkExists(RobomimicMarkers.Operator) ? Strings(demo, where, RobomimicMarkers.Operator, frames) : [];

    /// <summary>The outcome the demo records; null when it records none.</summary>
    public static EpisodeOutcome? Outcome(IH5Group demo, string where)
    {
        if (!demo.AttributeExists(RobomimicMarkers.Outcome))
        {
            return null;
        }
        var attribute = demo.Attribute(RobomimicMarkers.Outcome);
        string? name = RobomimicArrays.IsText(attribute.Type) ? attribute.Read<string>() : null;
        return (name is null ? null : OutcomeNames.Named(name)) ?? throw new InvalidDataException(
            $"{where}: attrs[\"{RobomimicMarkers.Outcome}\"] must be one of {string.Join(", ", OutcomeNames.All)}, got {(name is null ? "no string" : $"'{name}'")}");
    }

    private static string[] Strings(IH5Group demo, string where, string name, int frames)
    {
        string field = $"{where}/{name}";
        if (demo.Get(name) is not IH5Dataset dataset || !RobomimicArrays.IsText(dataset.Type) || dataset.Space.Rank != 1)
        {
            throw new InvalidDataException($"{field} is not a list of strings, one a frame");
        }
        var values = dataset.Read<string[]>();
        RequireFrames(field, values.Length, frames);
        return values;
    }

    private static void RequireFrames(string field, int count, int frames)
    {
        if (count != frames)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{field} has {count} entries but actions has {frames} frames"));
        }
    }
}
