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
    public static Command Create()
    {
        var observations = new Option<int>("--observations") { DefaultValueFactory = _ => 32, Description = "Observation size." };
        var actions = new Option<int>("--actions") { DefaultValueFactory = _ => 8, Description = "Action size." };
        var hidden = new Option<string>("--hidden") { DefaultValueFactory = _ => "256,256", Description = "Hidden widths." };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 256, Description = "Mini-batch size." };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 5, Description = "Epochs to train." };
        var episodes = new Option<int>("--episodes") { DefaultValueFactory = _ => 125, Description = "Episodes of 1,000 samples (a fifth held out)." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 0, Description = "Threads (0: one per core)." };
        var output = new Option<string>("--out") { DefaultValueFactory = _ => "bench-train", Description = "Folder for the samples and the run." };
        var export = new Option<string?>("--export") { Description = "Also write the trained policy here (a 2×256 Gaussian policy for `controller bench`)." };
        var json = CliCommand.JsonOption();
        var command = new Command("train", "Measure training throughput (samples/s) and final validation NLL on a fixed synthetic BC task.")
        {
            observations, actions, hidden, batch, epochs, episodes, threads, output, export, json,
        };
        command.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var config = new TrainingConfig
            {
                Hidden = [.. parse.GetValue(hidden)!.Split(',').Select(h => int.Parse(h, CultureInfo.InvariantCulture))],
                BatchSize = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs),
                Patience = 0,
                Threads = parse.GetValue(threads),
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
            if (parse.GetValue(export) is string policyPath)
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
                ["observations"] = parse.GetValue(observations),
                ["actions"] = parse.GetValue(actions),
                ["hidden"] = parse.GetValue(hidden),
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
