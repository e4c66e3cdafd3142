using Robotics.Protos.Log;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// What a robomimic file says beyond robomimic's own layout, which <c>trainer log export --format robomimic</c> writes
/// and the importer reads back: robomimic has no place for who drove a frame, how an episode ended, or signal names
/// (docs/dataset-formats.md §4.3). Other tools ignore these datasets and attributes.
/// </summary>
public static class RobomimicMarkers
{
    /// <summary>Per demo, one string a frame: its exact source (teleop, policy, override, safety, unspecified).</summary>
    public const string Source = "source";

    /// <summary>Per demo, one string a frame: who drove it (empty when nobody is named).</summary>
    public const string Operator = "operator";

    /// <summary>
    /// Per demo, one integer a frame, Sirius's convention (UT-Austin-RPL/sirius, its <c>WeightedDataset</c>): -1 a
    /// demonstration (teleop), 0 the robot's rollout (the policy's), 1 a human intervention (override), -10 a
    /// pre-intervention step (the robot's, labelled as leading to an intervention).
    /// </summary>
    public const string InterventionLabels = "intv_labels";

    /// <summary>Demo attribute: how the episode ended (success, failure, aborted, unspecified).</summary>
    public const string Outcome = "outcome";

    /// <summary>Demo attributes: the teleop log and the episode id in it the demo was exported from.</summary>
    public const string LogFile = "log_file";
    public const string LogEpisodeId = "log_episode_id";

    /// <summary>Demo attribute: the episode's task.</summary>
    public const string Task = "task";

    /// <summary>Attribute of <c>actions</c> and of each <c>obs/&lt;key&gt;</c>: the signal name of each column.</summary>
    public const string Names = "names";

    public const int SiriusDemo = -1;
    public const int SiriusRollout = 0;
    public const int SiriusIntervention = 1;
    public const int SiriusPreIntervention = -10;

    /// <summary>
    /// Sirius's label for a source: the safety layer's and unspecified actions are the robot's, like the policy's
    /// (Sirius has no label for them; <see cref="Source"/> keeps them apart).
    /// </summary>
    public static int SiriusLabel(ActionSource source) => source switch
    {
        ActionSource.Teleop => SiriusDemo,
        ActionSource.Override => SiriusIntervention,
        _ => SiriusRollout,
    };

    /// <summary>The source a Sirius label stands for; null for a value that is not one of its labels.</summary>
    public static ActionSource? SourceOfSiriusLabel(float label) => label switch
    {
        SiriusDemo => ActionSource.Teleop,
        SiriusIntervention => ActionSource.Override,
        SiriusRollout or SiriusPreIntervention => ActionSource.Policy,
        _ => null,
    };
}
