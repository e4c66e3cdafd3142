using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Robotics.Trainer.Benchmarks;
using Robotics.Trainer.Data;
using Robotics.Trainer.Export;
using Robotics.Trainer.Training;
using Robotics.Controller.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary>
/// <c>trainer bench train</c>: training throughput on a fixed synthetic task (obs 32, act 8, 2×256, batch 256
/// by default), writing the exact samples it trained on so docs/tools/compare_pytorch.py can train
/// the same model on them with PyTorch.
/// </summary>
internal static class BenchTrainCommand
{
    // The synthetic samples are held in memory at once: 500 episodes of 1,000 steps of 1,024 observations is 2 GB.
    private static readonly WholeRange Observations = new("--observations", 1, 1024);
    private static readonly WholeRange Actions = new("--actions", 1, 256);
    private static readonly WholeRange Episodes = new("--episodes", 2, 500);

    public static Command Create()
    {
        var observations = RangedOptions.Int(Observations, "Observation size.", 32);
        var actions = RangedOptions.Int(Actions, "Action size.", 8);
        var hidden = RangedOptions.Hidden("Hidden widths.", "256,256");
        var batch = RangedOptions.Int(TrainingRanges.Batch, "Mini-batch size.", 256);
        var epochs = RangedOptions.Int(TrainingRanges.Epochs, "Epochs to train.", 5);
        var episodes = RangedOptions.Int(Episodes, "Episodes of 1,000 samples (a fifth held out).", 125);
        var threads = RangedOptions.Int(TrainingRanges.Threads, "Threads (0: one per core).", 0);
        var ensemble = RangedOptions.Int(TrainingRanges.EnsembleMembers, "Networks trained as one ensemble (1: a single network, the figures docs/benchmarks.md compares with PyTorch).", 1);
        var output = new Option<string>("--out") { DefaultValueFactory = _ => "bench-train", Description = "Folder for the samples and the run." };
        var export = new Option<string?>("--export") { Description = "Also write the trained policy here (a 2×256 Gaussian policy for `controller bench`)." };
        var json = CliCommand.JsonOption();
        var command = new Command("train", "Measure training throughput (samples/s) and final validation NLL on a fixed synthetic BC task.")
        {
            observations, actions, hidden, batch, epochs, episodes, threads, ensemble, output, export, json,
        };
        command.SetAction(parse => TrainerCommand.Run(parse, json, "training the benchmark policy", console =>
        {
            string folder = parse.GetValue(output)!;
            string? policyPath = parse.GetValue(export) is string exportPath ? CliPaths.OutputFile("--export", exportPath, "policy.onnx") : null;
            Directory.CreateDirectory(folder);
            var config = new TrainingConfig
            {
                Hidden = TrainingRanges.ParseHidden(parse.GetValue(hidden)!),
                BatchSize = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs),
                Patience = 0,
                // The loss docs/tools/compare_pytorch.py trains, so that the final NLL compares with the peer's.
                LogStdMin = -5,
                Threads = parse.GetValue(threads),
                EnsembleMembers = parse.GetValue(ensemble),
            };
            var demonstrations = SyntheticBcData.Create(parse.GetValue(observations), parse.GetValue(actions), parse.GetValue(episodes), 1000, seed: 7);
            var data = TrainingData.Split(demonstrations, config.ValidationFraction, config.Seed, config.StdFloor);
            WriteFloats(Path.Combine(folder, "train_obs.f32"), data.Train.Observations);
            WriteFloats(Path.Combine(folder, "train_act.f32"), data.Train.Targets);
            WriteFloats(Path.Combine(folder, "val_obs.f32"), data.Validation.Observations);
            WriteFloats(Path.Combine(folder, "val_act.f32"), data.Validation.Targets);

            using var run = new TrainingRun(data, config);
            var result = run.Run(new RunFolder(Path.Combine(folder, "run")), ITrainingProgress.None);
            var last = result.History[^1];
            if (policyPath is not null)
            {
                PolicyExporter.Write(policyPath, PolicyExporter.Build(data, config, result));
            }
            int threadCount = config.Threads > 0 ? config.Threads : Environment.ProcessorCount;
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"ONNX Runtime, {threadCount} threads: {result.SamplesPerSecond:N0} samples/s over {result.Epochs} epochs; final val_nll {last.ValidationNll:F4}"));
            console.Summary(new JsonObject
            {
                ["engine"] = "onnxruntime",
                ["threads"] = threadCount,
                ["ensemble_members"] = config.EnsembleMembers,
                ["observations"] = parse.GetValue(observations),
                ["actions"] = parse.GetValue(actions),
                ["hidden"] = string.Join(',', config.Hidden),
                ["batch"] = run.BatchSize,
                ["epochs"] = result.Epochs,
                ["train_samples"] = data.Train.Count,
                ["val_samples"] = data.Validation.Count,
                ["samples_per_s"] = result.SamplesPerSecond,
                ["epoch_samples_per_s"] = new JsonArray([.. result.History.Select(h => (JsonNode)h.SamplesPerSecond)]),
                ["final_val_nll"] = last.ValidationNll,
                ["data_dir"] = Path.GetFullPath(folder),
            });
            return 0;
        }));
        return command;
    }

    private static void WriteFloats(string path, float[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}
