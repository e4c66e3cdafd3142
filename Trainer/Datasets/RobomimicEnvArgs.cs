using System.Text.Json;

namespace Robotics.Trainer.Datasets;

/// <summary>
/// A robomimic file's <c>data.attrs["env_args"]</c>: the JSON of the environment the demos were recorded in
/// (<c>{"env_name", "type", "env_kwargs"}</c>, robomimic's <c>EnvBase.serialize</c>; docs/dataset-formats.md §4.1).
/// </summary>
/// <param name="EnvName">The environment (robosuite's task, e.g. <c>Lift</c>): the trainer's robot name.</param>
/// <param name="Type">robomimic's EnvType: 1 robosuite, 2 gym, 3 iGibson; null when absent.</param>
/// <param name="ControlFreq">Actions a second (<c>env_kwargs.control_freq</c>); null when the file does not say.</param>
public sealed record RobomimicEnvArgs(string EnvName, int? Type, double? ControlFreq)
{
    public const string Attribute = "env_args";

    /// <summary>robomimic's EnvType.ROBOSUITE.</summary>
    public const int Robosuite = 1;

    /// <summary>robosuite's default <c>control_freq</c> (its environments' constructors), for files that leave it out.</summary>
    public const double RobosuiteDefaultControlFreq = 20;

    /// <param name="path">The file, which an error names.</param>
    public static RobomimicEnvArgs Parse(string path, string json)
    {
        string where = $"{path}: data.attrs[\"{Attribute}\"]";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: not JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("env_name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } envName)
            {
                throw new InvalidDataException($"{where}: env_name must be a non-empty string (the environment the demos were recorded in)");
            }
            // robomimic's docs call it env_type; its code writes type (docs/dataset-formats.md §4.1): either is taken.
            int? type = (root.TryGetProperty("type", out var t) || root.TryGetProperty("env_type", out t)) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out int n) ? n : null;
            double? rate = null;
            if (root.TryGetProperty("env_kwargs", out var kwargs) && kwargs.ValueKind == JsonValueKind.Object && kwargs.TryGetProperty("control_freq", out var freq))
            {
                rate = freq.ValueKind == JsonValueKind.Number && freq.GetDouble() is > 0 and < double.PositiveInfinity and var hz
                    ? hz
                    : throw new InvalidDataException($"{where}: env_kwargs.control_freq must be a number of hertz above 0, got {freq.GetRawText()}");
            }
            return new RobomimicEnvArgs(envName, type, rate);
        }
    }
}
