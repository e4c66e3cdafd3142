using System.Text.Json;
using System.Text.Json.Nodes;
using Robotics.Protos.Train;
using Robotics.Trainer.Data;
using Robotics.Trainer.Export;
using Robotics.Trainer.Streaming;

namespace Robotics.Trainer.Training;

/// <summary>
/// Teleop logs to an exported policy file: the demonstrations, the episode split, the training run (its
/// folder records config.json, metrics and checkpoints) and the export. What <c>trainer train</c> does, and
/// each stage of the demo.
/// </summary>
public static class PolicyTraining
{
    /// <summary>Reads the expert steps of the logs, weighs them and splits them by episode.</summary>
    public static TrainingData Prepare(IReadOnlyList<string> logs, TrainingConfig config)
    {
        config.Validate();
        if (StreamChoice.Streams(logs, config.Stream))
        {
            return StreamPlanner.Prepare(logs, config);
        }
        var demonstrations = DemonstrationLoader.Load(logs, new DemonstrationFilter { OnlySuccess = config.OnlySuccess, Kind = config.Kind, ObsKeys = config.ObsKeys });
        var weighted = DemonstrationWeighting.Apply(demonstrations, config.OutcomeWeights, config.OperatorWeights);
        return TrainingData.Split(weighted, config.ValidationFraction, config.Seed, config.StdFloor);
    }

    /// <summary>
    /// Trains on <paramref name="data"/> in <paramref name="folder"/> and writes the best epoch's policy to
    /// <paramref name="policyPath"/>. <paramref name="runWith"/> runs the training (with whatever progress
    /// display the caller has).
    /// </summary>
    public static TrainingResult TrainAndExport(TrainingData data, TrainingConfig config, IReadOnlyList<string> logs, RunFolder folder, string policyPath,
        Func<TrainingRun, TrainingResult> runWith)
    {
        using var run = new TrainingRun(data, config);
        folder.WriteConfig(ConfigJson(config, data, run, logs));
        var result = runWith(run);
        PolicyExporter.Write(policyPath, PolicyExporter.Build(data, config, result));
        return result;
    }

    /// <summary>Runs without reporting progress.</summary>
    public static TrainingResult TrainAndExport(TrainingData data, TrainingConfig config, IReadOnlyList<string> logs, RunFolder folder, string policyPath,
        TrainingCheckpoint? resume = null) =>
        TrainAndExport(data, config, logs, folder, policyPath, run => run.Run(folder, ITrainingProgress.None, resume));

    /// <summary>Where the episode split came from, as config.json and <c>train --json</c> say it: <c>masks</c> (robomimic's) or <c>seeded</c>.</summary>
    public static string SplitName(TrainingData data) => data.SplitByData ? "masks" : "seeded";

    private static JsonObject ConfigJson(TrainingConfig config, TrainingData data, TrainingRun run, IReadOnlyList<string> paths)
    {
        var json = JsonSerializer.SerializeToNode(config)!.AsObject();
        json["EffectiveBatchSize"] = run.BatchSize;
        json["StepsPerEpoch"] = run.StepsPerEpoch;
        json["Data"] = new JsonObject
        {
            ["paths"] = new JsonArray([.. paths.Select(p => (JsonNode)p)]),
            ["robot"] = data.Source.Robot,
            ["train_steps"] = data.TrainSteps,
            ["val_steps"] = data.Validation.Count,
            ["train_episodes"] = data.TrainEpisodes,
            ["streamed"] = data.Stream is not null,
            ["val_episodes"] = data.Validation.EpisodeCount,
            ["split"] = SplitName(data),
            ["skipped_non_finite"] = data.Source.SkippedNonFinite,
            ["skipped_non_expert"] = data.Source.SkippedNonExpert,
            ["skipped_episodes_by_outcome"] = data.Source.SkippedEpisodesByOutcome,
            ["fingerprint"] = data.Fingerprint,
            ["composition"] = data.Source.Composition.ToJson(),
        };
        return json;
    }
}
