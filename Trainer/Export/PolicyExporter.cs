using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Export;

/// <summary>
/// Writes the policy file the controller runs: the forward graph with the best weights and the normalization
/// baked in, everything the controller checks before running it in the metadata (see <see cref="PolicyContract"/>),
/// and the digest of all that, which the controller checks first (<see cref="PolicyDigest"/>).
/// </summary>
public static class PolicyExporter
{
    public static ModelProto Build(TrainingData data, TrainingConfig config, TrainingResult result)
    {
        var source = data.Source;
        var (low, high) = source.Kind.ActionRange(source);
        var c = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>
        {
            [PolicyContract.Keys.ContractVersion] = PolicyContract.Version.ToString(c),
            [PolicyContract.Keys.Kind] = source.Kind.MetadataName,
            [PolicyContract.Keys.Robot] = source.Robot,
            [PolicyContract.Keys.ObservationNames] = JsonSerializer.Serialize(source.ObservationNames),
            [PolicyContract.Keys.ActionNames] = JsonSerializer.Serialize(source.ActionNames),
            [PolicyContract.Keys.DiscreteActionNames] = JsonSerializer.Serialize(source.DiscreteActionNames),
            [PolicyContract.Keys.ActionLow] = JsonSerializer.Serialize(low),
            [PolicyContract.Keys.ActionHigh] = JsonSerializer.Serialize(high),
            [PolicyContract.Keys.ControlRateHz] = source.ControlRateHz.ToString("R", c),
            [PolicyContract.Keys.ObservationMean] = JsonSerializer.Serialize(data.Normalization.ObservationMean),
            [PolicyContract.Keys.ObservationStd] = JsonSerializer.Serialize(data.Normalization.ObservationStd),
            [PolicyContract.Keys.ActionStd] = JsonSerializer.Serialize(data.Normalization.ActionStd),
            [PolicyContract.Keys.HelpThreshold] = result.Help.Uncertainty.Threshold.ToString("R", c),
            [PolicyContract.Keys.HelpRate] = result.Help.Uncertainty.Rate.ToString("R", c),
            [PolicyContract.Keys.HelpObservationZThreshold] = result.Help.ObservationZ.Threshold.ToString("R", c),
            [PolicyContract.Keys.HelpUncertainty] = source.Kind.UncertaintyMeasure,
            [PolicyContract.Keys.DatasetFingerprint] = data.Fingerprint,
            [PolicyContract.Keys.ValidationMetrics] = new JsonObject
            {
                ["nll"] = result.BestEvaluation.Nll,
                ["mse"] = result.BestEvaluation.Mse,
                ["accuracy"] = double.IsNaN(result.BestEvaluation.Accuracy) ? null : result.BestEvaluation.Accuracy,
                ["epoch"] = result.BestEpoch,
                ["samples"] = data.Validation.Count,
            }.ToJsonString(),
            [PolicyContract.Keys.TrainingConfig] = JsonSerializer.Serialize(config),
            [PolicyContract.Keys.TrainerVersion] = typeof(PolicyExporter).Assembly.GetName().Version?.ToString() ?? "0",
        };
        foreach (var (key, value) in result.Shape.Head.Metadata(result.Shape))
        {
            metadata[key] = value;
        }
        if (result.Shape.IsEnsemble)
        {
            metadata[PolicyContract.Keys.EnsembleMembers] = result.Shape.EnsembleMembers.ToString(c);
            metadata[PolicyContract.Keys.HelpNoveltyThreshold] = result.Help.Novelty!.Threshold.ToString("R", c);
        }
        var model = PolicyGraph.BuildExport(result.Shape, data.Normalization, result.BestParameters, metadata);
        PolicyDigest.Stamp(model);
        return model;
    }

    /// <summary>Writes the model (to a temporary name first, so a reader never sees half a file).</summary>
    public static void Write(string path, ModelProto model)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        Directory.CreateDirectory(directory!);
        string temporary = path + ".partial";
        File.WriteAllBytes(temporary, model.ToByteArray());
        File.Move(temporary, path, overwrite: true);
    }
}
