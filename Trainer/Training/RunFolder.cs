using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Robotics.Protos.Train;
using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Training;

/// <summary>
/// A training run's folder: config.json (the resolved settings and data summary), metrics.csv (one row per
/// epoch), curves.svg (training and validation curves), help_threshold.json and checkpoint.pb.
/// </summary>
public sealed class RunFolder
{
    private const string MetricsHeader = "epoch,step,train_loss,val_nll,val_mse,val_accuracy,learning_rate,samples_per_s,seconds";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public RunFolder(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }

    public string CheckpointPath => File("checkpoint.pb");

    public string MetricsPath => File("metrics.csv");

    public string CurvesPath => File("curves.svg");

    public string ConfigPath => File("config.json");

    public string HelpThresholdPath => File("help_threshold.json");

    public void WriteConfig(JsonObject config) => System.IO.File.WriteAllText(ConfigPath, config.ToJsonString(Indented));

    /// <summary>
    /// help_threshold.json: the uncertainty threshold and its quantiles at the top (as before there were other
    /// triggers), then each other trigger's as an object of its own ("novelty" for an ensemble, "observation_z").
    /// </summary>
    public void WriteHelpThresholds(HelpThresholds thresholds)
    {
        var json = Describe(thresholds.Uncertainty);
        if (thresholds.Novelty is { } novelty)
        {
            json["novelty"] = Describe(novelty);
        }
        json["observation_z"] = Describe(thresholds.ObservationZ);
        System.IO.File.WriteAllText(HelpThresholdPath, json.ToJsonString(Indented));
    }

    private static JsonObject Describe(HelpThreshold threshold) => new()
    {
        ["help_rate"] = threshold.Rate,
        ["threshold"] = threshold.Threshold,
        ["quantiles"] = new JsonObject([.. threshold.Quantiles.Select(q => KeyValuePair.Create(q.Key, (JsonNode?)q.Value))]),
    };

    /// <summary>
    /// Rewrites metrics.csv and curves.svg with every epoch so far (a resumed run keeps its history); the chart
    /// marks <paramref name="keptEpoch"/>, the epoch the run would export now.
    /// </summary>
    public void WriteMetrics(IReadOnlyList<EpochMetrics> epochs, string title, int keptEpoch, ValidationScore keptBy)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = epochs.Select(m => string.Join(',',
            m.Epoch.ToString(c), m.Step.ToString(c), m.TrainLoss.ToString("R", c), m.ValidationNll.ToString("R", c), m.ValidationMse.ToString("R", c),
            m.ValidationAccuracy.ToString("R", c), m.LearningRate.ToString("R", c), m.SamplesPerSecond.ToString("F1", c), m.Seconds.ToString("F3", c)));
        System.IO.File.WriteAllLines(MetricsPath, [MetricsHeader, .. lines]);
        System.IO.File.WriteAllText(CurvesPath, CurvePlot.Svg(epochs, title, keptEpoch, keptBy));
    }

    /// <summary>The epochs recorded so far, for a resumed run.</summary>
    public List<EpochMetrics> ReadMetrics()
    {
        if (!System.IO.File.Exists(MetricsPath))
        {
            return [];
        }
        var c = CultureInfo.InvariantCulture;
        return [.. System.IO.File.ReadLines(MetricsPath).Skip(1).Select(line => line.Split(',')).Select(f => new EpochMetrics(
            int.Parse(f[0], c), long.Parse(f[1], c), double.Parse(f[2], c), double.Parse(f[3], c), double.Parse(f[4], c),
            double.Parse(f[5], c), double.Parse(f[6], c), double.Parse(f[7], c), double.Parse(f[8], c)))];
    }

    public void SaveCheckpoint(TrainingCheckpoint checkpoint) => Checkpoints.Save(CheckpointPath, checkpoint);

    private string File(string name) => System.IO.Path.Combine(Path, name);
}
