using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Robotics.Controller.Policy.Heads;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Policy;

/// <summary>What a policy file says about itself (see <see cref="PolicyContract.Keys"/>), parsed and checked.</summary>
/// <param name="Head">The head the file names (robotics.kind).</param>
/// <param name="MixtureComponents">A Gaussian mixture's component count (robotics.mixture_components); 0 for other heads.</param>
/// <param name="EnsembleMembers">How many networks the file averages (robotics.ensemble_members); 1 for a single network.</param>
/// <param name="HelpNoveltyThreshold">An ensemble's novelty threshold (robotics.help_novelty_threshold); null for a single network.</param>
/// <param name="HelpObservationZThreshold">The observation |z| threshold (robotics.help_observation_z_threshold); null in files from before it.</param>
public sealed record PolicyMetadata(
    PolicyHead Head,
    string Robot,
    IReadOnlyList<string> ObservationNames,
    IReadOnlyList<string> ActionNames,
    IReadOnlyList<string> DiscreteActionNames,
    float[] ActionLow,
    float[] ActionHigh,
    double ControlRateHz,
    float[] ObservationMean,
    float[] ObservationStd,
    float[] ActionStd,
    double HelpThreshold,
    double HelpRate,
    int MixtureComponents,
    int EnsembleMembers,
    double? HelpNoveltyThreshold,
    double? HelpObservationZThreshold)
{
    public bool IsEnsemble => EnsembleMembers > 1;

    /// <summary>More components than any trainer setting gives (it allows 32) marks a damaged file, not a policy.</summary>
    public const int MaxMixtureComponents = 1024;

    public static PolicyMetadata Parse(IReadOnlyDictionary<string, string> values, string path)
    {
        string Get(string key) => values.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{path}: not a policy this trainer wrote: its metadata has no {key}");
        T Json<T>(string key, JsonTypeInfo<T> reader)
        {
            try
            {
                return JsonSerializer.Deserialize(Get(key), reader) ?? throw new InvalidDataException($"{path}: metadata {key} is empty");
            }
            catch (JsonException e)
            {
                string expected = typeof(T) == typeof(string[]) ? "a JSON list of names" : "a JSON list of numbers";
                string where = e.Path is { Length: > 1 } at ? $" (at {at[1..]})" : "";
                throw new InvalidDataException($"{path}: metadata {key} must be {expected}: '{Printable.Line(Get(key), 60)}' is not one{where}", e);
            }
        }
        double Number(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new InvalidDataException($"{path}: metadata {key} is '{Printable.Line(Get(key), 60)}', not a number");

        int Components() => int.TryParse(Get(PolicyContract.Keys.MixtureComponents), NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k is >= 2 and <= MaxMixtureComponents
            ? k
            : throw new InvalidDataException($"{path}: metadata {PolicyContract.Keys.MixtureComponents} is '{Printable.Line(Get(PolicyContract.Keys.MixtureComponents), 60)}': it must be a whole number of components from 2 to {MaxMixtureComponents}");

        int Members() => !values.ContainsKey(PolicyContract.Keys.EnsembleMembers)
            ? 1
            : int.TryParse(Get(PolicyContract.Keys.EnsembleMembers), NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k is >= 2 and <= PolicyContract.MaxEnsembleMembers
                ? k
                : throw new InvalidDataException($"{path}: metadata {PolicyContract.Keys.EnsembleMembers} is '{Printable.Line(Get(PolicyContract.Keys.EnsembleMembers), 60)}': it must be a whole number of networks from 2 to {PolicyContract.MaxEnsembleMembers}");
        double? Optional(string key) => values.ContainsKey(key) ? Number(key) : null;

        string version = Get(PolicyContract.Keys.ContractVersion);
        if (version != PolicyContract.Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"{path}: written for policy contract version {Printable.Line(version, 20)}; this controller reads version {PolicyContract.Version}");
        }
        string kind = Get(PolicyContract.Keys.Kind);
        var head = PolicyHeads.Named(kind)
            ?? throw new InvalidDataException($"{path}: unknown policy kind '{Printable.Line(kind, 40)}' (this controller runs {string.Join(", ", PolicyHeads.All.Select(h => h.MetadataName))})");
        var metadata = new PolicyMetadata(
            head,
            Get(PolicyContract.Keys.Robot),
            Json(PolicyContract.Keys.ObservationNames, PolicyMetadataJson.Default.StringArray),
            Json(PolicyContract.Keys.ActionNames, PolicyMetadataJson.Default.StringArray),
            Json(PolicyContract.Keys.DiscreteActionNames, PolicyMetadataJson.Default.StringArray),
            Json(PolicyContract.Keys.ActionLow, PolicyMetadataJson.Default.SingleArray),
            Json(PolicyContract.Keys.ActionHigh, PolicyMetadataJson.Default.SingleArray),
            Number(PolicyContract.Keys.ControlRateHz),
            Json(PolicyContract.Keys.ObservationMean, PolicyMetadataJson.Default.SingleArray),
            Json(PolicyContract.Keys.ObservationStd, PolicyMetadataJson.Default.SingleArray),
            Json(PolicyContract.Keys.ActionStd, PolicyMetadataJson.Default.SingleArray),
            Number(PolicyContract.Keys.HelpThreshold),
            Number(PolicyContract.Keys.HelpRate),
            head.Kind == Protos.Log.HeadKind.GaussianMixture ? Components() : 0,
            Members(),
            // An ensemble's is required (Get names it when missing); a single network's file has none.
            values.ContainsKey(PolicyContract.Keys.EnsembleMembers) ? Number(PolicyContract.Keys.HelpNoveltyThreshold) : null,
            Optional(PolicyContract.Keys.HelpObservationZThreshold));
        metadata.Validate(path);
        return metadata;
    }

    /// <summary>
    /// Every array the loop indexes has one entry per name, and every number it divides by or compares with is a
    /// positive finite one: a file that says otherwise was damaged or hand-edited, and is refused here rather than
    /// failing on the loop's first tick (an index out of range) or quietly (a NaN rate passes any rate check).
    /// </summary>
    private void Validate(string path)
    {
        void Refuse(string key, string what) => throw new InvalidDataException($"{path}: metadata {key} {what}");
        void PerName(string key, float[] values, int count, string names, bool positive)
        {
            if (values.Length != count)
            {
                Refuse(key, string.Create(CultureInfo.InvariantCulture, $"has {values.Length} entries for {count} {names}"));
            }
            int bad = Array.FindIndex(values, v => !float.IsFinite(v) || (positive && v <= 0));
            if (bad >= 0)
            {
                Refuse(key, string.Create(CultureInfo.InvariantCulture, $"[{bad}] is {values[bad]}: it must be {(positive ? "a positive" : "a")} finite number"));
            }
        }
        void Named(string key, IReadOnlyList<string> names)
        {
            int bad = names.ToList().FindIndex(string.IsNullOrWhiteSpace);
            if (bad >= 0)
            {
                Refuse(key, string.Create(CultureInfo.InvariantCulture, $"[{bad}] is empty: every entry must be a name"));
            }
        }
        Named(PolicyContract.Keys.ObservationNames, ObservationNames);
        Named(PolicyContract.Keys.ActionNames, ActionNames);
        Named(PolicyContract.Keys.DiscreteActionNames, DiscreteActionNames);
        if (!double.IsFinite(ControlRateHz) || ControlRateHz <= 0)
        {
            Refuse(PolicyContract.Keys.ControlRateHz, string.Create(CultureInfo.InvariantCulture, $"is {ControlRateHz}: it must be a positive finite rate in Hz"));
        }
        PerName(PolicyContract.Keys.ObservationMean, ObservationMean, ObservationNames.Count, "observations", positive: false);
        PerName(PolicyContract.Keys.ObservationStd, ObservationStd, ObservationNames.Count, "observations", positive: true);
        PerName(PolicyContract.Keys.ActionLow, ActionLow, ActionNames.Count, "actions", positive: false);
        PerName(PolicyContract.Keys.ActionHigh, ActionHigh, ActionNames.Count, "actions", positive: false);
        if (!Head.ActsDiscretely)
        {
            PerName(PolicyContract.Keys.ActionStd, ActionStd, ActionNames.Count, "actions", positive: true);
        }
        void Threshold(string key, double? value, string of)
        {
            if (value is double v && (!double.IsFinite(v) || v <= 0))
            {
                Refuse(key, string.Create(CultureInfo.InvariantCulture, $"is {v}: it must be a positive finite {of}"));
            }
        }
        Threshold(PolicyContract.Keys.HelpThreshold, HelpThreshold, "uncertainty");
        Threshold(PolicyContract.Keys.HelpNoveltyThreshold, HelpNoveltyThreshold, "novelty");
        Threshold(PolicyContract.Keys.HelpObservationZThreshold, HelpObservationZThreshold, "|z|");
    }
}
