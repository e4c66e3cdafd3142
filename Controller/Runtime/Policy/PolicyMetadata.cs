using System.Globalization;
using System.Text.Json;
using Robotics.Controller.Policy.Heads;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Policy;

/// <summary>What a policy file says about itself (see <see cref="PolicyContract.Keys"/>), parsed and checked.</summary>
/// <param name="Head">The head the file names (robotics.kind).</param>
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
    double HelpRate)
{
    public static PolicyMetadata Parse(IReadOnlyDictionary<string, string> values, string path)
    {
        string Get(string key) => values.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{path}: not a policy this trainer wrote: its metadata has no {key}");
        T Json<T>(string key)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(Get(key)) ?? throw new InvalidDataException($"{path}: metadata {key} is empty");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: metadata {key} is not valid JSON ({e.Message})", e);
            }
        }
        double Number(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new InvalidDataException($"{path}: metadata {key} is '{Get(key)}', not a number");

        string version = Get(PolicyContract.Keys.ContractVersion);
        if (version != PolicyContract.Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"{path}: written for policy contract version {version}; this controller reads version {PolicyContract.Version}");
        }
        string kind = Get(PolicyContract.Keys.Kind);
        var head = PolicyHeads.Named(kind)
            ?? throw new InvalidDataException($"{path}: unknown policy kind '{kind}' (this controller runs {string.Join(", ", PolicyHeads.All.Select(h => h.MetadataName))})");
        return new PolicyMetadata(
            head,
            Get(PolicyContract.Keys.Robot),
            Json<string[]>(PolicyContract.Keys.ObservationNames),
            Json<string[]>(PolicyContract.Keys.ActionNames),
            Json<string[]>(PolicyContract.Keys.DiscreteActionNames),
            Json<float[]>(PolicyContract.Keys.ActionLow),
            Json<float[]>(PolicyContract.Keys.ActionHigh),
            Number(PolicyContract.Keys.ControlRateHz),
            Json<float[]>(PolicyContract.Keys.ObservationMean),
            Json<float[]>(PolicyContract.Keys.ObservationStd),
            Json<float[]>(PolicyContract.Keys.ActionStd),
            Number(PolicyContract.Keys.HelpThreshold),
            Number(PolicyContract.Keys.HelpRate));
    }
}
