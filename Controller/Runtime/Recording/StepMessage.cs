using Robotics.Controller.Policy.Heads;
using Robotics.Controller.Ticks;
using Robotics.Protos;
using Robotics.Protos.Log;

namespace Robotics.Controller.Recording;

/// <summary>
/// A tick record as the teleop log's <see cref="Step"/> message: what the recorder writes to the log and what the live
/// Foxglove server streams, so a layout made on a recording reads a live robot the same way.
/// </summary>
public static class StepMessage
{
    /// <summary>Fills <paramref name="step"/> (reused, so its repeated fields keep their storage) from the record at <paramref name="cursor"/>.</summary>
    /// <param name="operators">Names the override operator who drove the step; null leaves <see cref="Step.Operator"/> empty (a reader without the loop's leases).</param>
    public static void Fill(Step step, TickCursor cursor, OverrideOperators? operators = null)
    {
        ref readonly var header = ref cursor.Header;
        step.TimestampNs = (ulong)header.TimestampNs;
        step.EpisodeId = header.Episode;
        step.Tick = header.EpisodeTick;
        step.Source = header.Source;
        step.Flags = header.Flags;
        step.LatenessNs = header.LatenessNs;
        step.InferenceNs = header.InferenceNs;
        step.Uncertainty = header.Uncertainty;
        step.ObservationZ = header.ObservationZ;
        step.Novelty = header.Novelty;
        step.HelpTriggers = header.HelpTriggers;
        step.WorkNs = header.WorkNs;
        step.Operator = operators?.NameOf(header.OverrideLease) ?? "";
        step.Observation.ReplaceWith(cursor.Observation);
        step.Action.ReplaceWith(cursor.Action);
        if (header.Head == HeadKind.None)
        {
            step.PolicyHead = HeadKind.None;
            step.PolicyMean.Clear();
            step.PolicyLogStd.Clear();
            step.PolicyLogits.Clear();
            step.ComponentMeans.Clear();
            step.ComponentLogStds.Clear();
        }
        else
        {
            PolicyHeads.Of(header.Head).WriteStep(cursor.HeadOutputs, cursor.Action.Length, step);
        }
    }
}
