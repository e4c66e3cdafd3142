using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Robotics.Trainer.Data;
using Robotics.Trainer.Datasets;
using Robotics.Trainer.Export;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;
using Robotics.Controller.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary><c>trainer train</c>: fit a BC policy on teleop logs and export it as one ONNX file.</summary>
internal static class TrainCommand
{
    private static readonly NamedChoices<Activation> Activations = new(("leaky_relu", Activation.LeakyRelu), ("relu", Activation.Relu), ("tanh", Activation.Tanh));
    private static readonly NamedChoices<LearningRateSchedule> Schedules = new(("constant", LearningRateSchedule.Constant), ("cosine", LearningRateSchedule.Cosine));
    private static readonly NamedChoices<OptimizerKind> Optimizers = new(("adamw", OptimizerKind.AdamW), ("adam", OptimizerKind.Adam));
    private static readonly NamedChoices<SelectionMetric> Metrics = new(("mse", SelectionMetric.Mse), ("nll", SelectionMetric.Nll));
    private static readonly NamedChoices<StreamMode> StreamModes = new(("auto", StreamMode.Auto), ("on", StreamMode.On), ("off", StreamMode.Off));
    private static readonly NamedChoices<TrainingDevice> Devices = new(("cpu", TrainingDevice.Cpu), ("cuda", TrainingDevice.Cuda));

    /// <summary>Every default below is <see cref="TrainingConfig"/>'s: the settings measured to work on a few tens of teleop episodes.</summary>
    public static Command Create()
    {
        var defaults = new TrainingConfig();
        var data = new Option<string[]>("--data")
        {
            Description = "Teleop logs (.mcap) or directories of them, LeRobot dataset folders, robomimic files (.hdf5, .h5).", Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var obsKeys = new Option<string?>(RobomimicObsKeys.Option)
        {
            Description = "robomimic files: the low-dimensional obs keys that make the observation, in this order, e.g. robot0_eef_pos,object (default: every one, by name).",
        };
        var output = new Option<string>("--out") { Description = "Where to write the policy.", DefaultValueFactory = _ => "policy.onnx" };
        var kind = new Option<string?>("--kind") { Description = $"The policy head ({string.Join(", ", PolicyHeads.Names)}); by default what the logs' action space implies." };
        kind.AcceptOnlyFromAmong([.. PolicyHeads.Names]);
        var hidden = RangedOptions.Hidden("Hidden layer widths.", string.Join(',', defaults.Hidden));
        var activation = Activations.Option("--activation", "leaky_relu, relu or tanh.", defaults.Activation);
        var epochs = RangedOptions.Int(TrainingRanges.Epochs, "Passes over the training episodes at most; --patience usually ends training first.", defaults.Epochs);
        var steps = RangedOptions.Long(TrainingRanges.Steps, "Optimizer-step budget (0: none); ends training before the epochs do.", defaults.MaxSteps);
        var batch = RangedOptions.Int(TrainingRanges.Batch, "Mini-batch size.", defaults.BatchSize);
        var lr = RangedOptions.Double(TrainingRanges.LearningRate, "Learning rate.", defaults.LearningRate);
        var schedule = Schedules.Option("--schedule", "constant or cosine learning rate.", defaults.Schedule);
        var optimizer = Optimizers.Option("--optimizer", "adamw (decoupled decay) or adam (L2 decay).", defaults.Optimizer);
        var weightDecay = RangedOptions.Double(TrainingRanges.WeightDecay, "Weight decay on weight matrices (not biases).", defaults.WeightDecay);
        var maxGradNorm = RangedOptions.Double(TrainingRanges.MaxGradNorm, "Clip the global gradient norm to this (0: off).", defaults.MaxGradNorm);
        var patience = RangedOptions.Int(TrainingRanges.Patience, "Stop after this many epochs without a better validation score (0: never).", defaults.Patience);
        var logStdMin = RangedOptions.Double(TrainingRanges.LogStdMin,
            $"Gaussian and Gaussian mixture only (a categorical policy has no σ): the smallest log σ, in normalized action units, below the largest ({defaults.LogStdMax}); the floor stops σ collapsing onto the easiest samples, which starves the rare recovery states.", defaults.LogStdMin);
        var components = RangedOptions.Int(TrainingRanges.MixtureComponents,
            "gaussian_mixture only: how many Gaussians the mixture has, one per way of acting the expert shows and then some.", defaults.MixtureComponents);
        var ensemble = RangedOptions.Int(TrainingRanges.EnsembleMembers,
            "gaussian only: train this many networks together, each from its own initialization on its own bootstrap of the training episodes, and export them as one policy " +
            "whose σ includes their disagreement and which asks for help when they disagree (its novelty); 1: a single network.", defaults.EnsembleMembers);
        var selectBy = Metrics.Option("--select-by",
            "The validation score that picks the exported epoch and drives --patience. mse: Gaussian, the squared error of the mean action (what the robot does); categorical, the Brier score of the action probabilities. " +
            "nll: the negative log-likelihood, which on a few tens of episodes turns up after a handful of epochs as σ shrinks and keeps a barely trained policy.", defaults.SelectBy);
        var validation = RangedOptions.Double(TrainingRanges.ValidationFraction, "Share of episodes held out for validation.", defaults.ValidationFraction);
        var onlySuccess = new Option<bool>("--only-success") { Description = "Learn only from episodes whose outcome is success." };
        var weightOutcome = RangedOptions.Weights(DemonstrationWeighting.OutcomeOption, OutcomeNames.All,
            $"Sampling weight per episode outcome, e.g. success=1,failure=0.2,aborted=0 ({string.Join(", ", OutcomeNames.All)}; * for every outcome not listed, " +
            "else 1). A step weighs its outcome's weight times its operator's: training draws steps in proportion, validation scores by the same weights, 0 leaves a step out. " +
            $"Weights are 0 to {WeightTable.MaxWeight:G}; only their ratios matter.");
        var weightOperator = RangedOptions.Weights(DemonstrationWeighting.OperatorOption, null,
            "Sampling weight per operator who drove a step (as `trainer log info` lists them), e.g. alice=1,bob=0.3 (* for every operator not listed, else 1); multiplies the outcome's weight.");
        var helpRate = RangedOptions.Double(TrainingRanges.HelpRate, "Share of held-out ticks on which the policy should ask for help.", defaults.HelpRate);
        var seed = RangedOptions.Int(TrainingRanges.Seed, "Seed for the split, the initial weights and the batches.", defaults.Seed);
        var device = Devices.Option("--device", "cpu, or cuda (needs a build with -p:UseCuda=true).", defaults.Device);
        var threads = RangedOptions.Int(TrainingRanges.Threads, "ONNX Runtime threads (0: one per core).", defaults.Threads);
        var stream = StreamModes.Option("--stream",
            "Stream the training samples from disk, two pools of 262,144 at a time, instead of holding them in memory. on: LeRobot dataset folders only; " +
            "auto: when they would not fit in half the memory available; off: hold them in memory.", defaults.Stream);
        var runDir = new Option<string?>("--run-dir") { Description = "Folder for metrics.csv, curves.svg, config.json, help_threshold.json and checkpoint.pb (default: next to --out)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its checkpoint (same --data)." };
        var json = CliCommand.JsonOption();

        var command = new Command("train", "Train a behavioral-cloning policy (Gaussian, categorical or Gaussian mixture) on ONNX Runtime and export it as one ONNX file.")
        {
            data, output, kind, hidden, activation, epochs, steps, batch, lr, schedule, optimizer, weightDecay, maxGradNorm,
            patience, logStdMin, components, ensemble, selectBy, validation, onlySuccess, obsKeys, weightOutcome, weightOperator, helpRate, seed, device, threads, stream, runDir, resume, json,
        };
        command.SetAction(parse => TrainerCommand.Run(parse, json, "training the policy", console =>
        {
            string outPath = CliPaths.OutputFile("--out", parse.GetValue(output)!, "policy.onnx");
            string? resumeFrom = parse.GetValue(resume);
            string? runDirPath = parse.GetValue(runDir);
            string[] logs = parse.GetValue(data)!;
            var checkpoint = resumeFrom is null ? null : Checkpoints.Load(Path.Combine(resumeFrom, "checkpoint.pb"));
            var config = checkpoint is null
                ? new TrainingConfig
                {
                    Kind = PolicyHeads.Named(parse.GetValue(kind)),
                    Hidden = TrainingRanges.ParseHidden(parse.GetValue(hidden)!),
                    Activation = Activations.Of(parse.GetValue(activation)!),
                    Epochs = parse.GetValue(epochs),
                    MaxSteps = parse.GetValue(steps),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    Schedule = Schedules.Of(parse.GetValue(schedule)!),
                    Optimizer = Optimizers.Of(parse.GetValue(optimizer)!),
                    WeightDecay = parse.GetValue(weightDecay),
                    MaxGradNorm = parse.GetValue(maxGradNorm),
                    Patience = parse.GetValue(patience),
                    LogStdMin = parse.GetValue(logStdMin),
                    MixtureComponents = parse.GetValue(components),
                    EnsembleMembers = parse.GetValue(ensemble),
                    SelectBy = Metrics.Of(parse.GetValue(selectBy)!),
                    ValidationFraction = parse.GetValue(validation),
                    OnlySuccess = parse.GetValue(onlySuccess),
                    ObsKeys = parse.GetValue(obsKeys) is { } keys ? RobomimicObsKeys.Parse(keys) : null,
                    OutcomeWeights = parse.GetValue(weightOutcome) ?? defaults.OutcomeWeights,
                    OperatorWeights = parse.GetValue(weightOperator) ?? defaults.OperatorWeights,
                    HelpRate = parse.GetValue(helpRate),
                    Seed = parse.GetValue(seed),
                    Device = Devices.Of(parse.GetValue(device)!),
                    Threads = parse.GetValue(threads),
                    Stream = StreamModes.Of(parse.GetValue(stream)!),
                }
                : ResumedConfig(Path.Combine(resumeFrom!, "checkpoint.pb"), checkpoint.ConfigJson, Given(parse, epochs), Given(parse, steps));
            if (checkpoint is not null)
            {
                KeepsWeights(DemonstrationWeighting.OutcomeOption, parse.GetValue(weightOutcome), config.OutcomeWeights);
                KeepsWeights(DemonstrationWeighting.OperatorOption, parse.GetValue(weightOperator), config.OperatorWeights);
                KeepsObsKeys(parse.GetValue(obsKeys), config.ObsKeys);
            }
            config.Validate();
            if (config.Device == TrainingDevice.Cuda)
            {
                OrtSessions.RequireCuda();
            }

            var split = PolicyTraining.Prepare(logs, config);
            var demonstrations = split.Source;
            var folder = new RunFolder(resumeFrom ?? runDirPath ?? Path.ChangeExtension(outPath, null) + ".run");
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"{demonstrations.Kind} BC on {demonstrations.Robot}: {split.TrainSteps} training steps from {split.TrainEpisodes} episodes{(split.Stream is null ? "" : ", streamed from disk")}, {split.Validation.Count} validation steps from {split.Validation.EpisodeCount}{(split.SplitByData ? $" (the split of the files' {RobomimicMasks.Train} and {RobomimicMasks.Valid})" : "")}"));
            foreach (string line in CompositionTable.Lines(demonstrations.Composition))
            {
                console.Line(line);
            }
            foreach (string warning in demonstrations.Warnings)
            {
                console.Warning(warning);
            }
            if (demonstrations.SkippedNonFinite > 0)
            {
                console.Warning($"skipped {demonstrations.SkippedNonFinite} steps with NaN or infinity in their observation or action (the first: {demonstrations.FirstNonFinite})");
            }

            var result = PolicyTraining.TrainAndExport(split, config, logs, folder, outPath, run =>
                TrainingProgressDisplay.Run(console, TrainingProgressDisplay.IsLive(console),
                    progress => run.Run(folder, progress, checkpoint)));

            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"{result.StopReason}; best epoch {result.BestEpoch}: val_nll {result.BestEvaluation.Nll:F4}, val_mse {result.BestEvaluation.Mse:G4}; help threshold {result.Help.Uncertainty.Threshold:G4}{(result.Help.Novelty is { } novelty ? $", novelty {novelty.Threshold:G4}" : "")}, observation |z| {result.Help.ObservationZ.Threshold:G4} for a {result.Help.Uncertainty.Rate:P0} help rate each"));
            console.Line($"wrote {outPath} (run folder {folder.Path})");
            console.Summary(new JsonObject
            {
                ["policy"] = outPath,
                ["run_dir"] = folder.Path,
                ["kind"] = demonstrations.Kind.MetadataName,
                ["val_nll"] = result.BestEvaluation.Nll,
                ["val_mse"] = result.BestEvaluation.Mse,
                ["val_accuracy"] = double.IsNaN(result.BestEvaluation.Accuracy) ? null : result.BestEvaluation.Accuracy,
                ["samples_per_s"] = result.SamplesPerSecond,
                ["epochs"] = result.Epochs,
                ["best_epoch"] = result.BestEpoch,
                ["optimizer_steps"] = result.Steps,
                ["train_steps"] = split.TrainSteps,
                ["val_steps"] = split.Validation.Count,
                ["train_episodes"] = split.TrainEpisodes,
                ["streamed"] = split.Stream is not null,
                ["peak_memory_bytes"] = PeakMemory.Bytes(),
                ["val_episodes"] = split.Validation.EpisodeCount,
                ["split"] = PolicyTraining.SplitName(split),
                ["skipped_non_finite"] = demonstrations.SkippedNonFinite,
                ["skipped_non_expert"] = demonstrations.SkippedNonExpert,
                ["composition"] = demonstrations.Composition.ToJson(),
                ["help_threshold"] = result.Help.Uncertainty.Threshold,
                ["help_novelty_threshold"] = result.Help.Novelty?.Threshold,
                ["help_observation_z_threshold"] = result.Help.ObservationZ.Threshold,
                ["stop_reason"] = result.StopReason,
                ["dataset_fingerprint"] = split.Fingerprint,
            });
            return 0;
        }));
        return command;
    }

    /// <summary>The option's value when the user typed it, null when it only has its default.</summary>
    private static T? Given<T>(ParseResult parse, Option<T> option) where T : struct =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;

    /// <summary>A resumed run draws its samples by the weights it started with: weights given again must be those.</summary>
    private static void KeepsWeights(string option, IReadOnlyDictionary<string, double>? given, IReadOnlyDictionary<string, double> kept)
    {
        if (given is not null && WeightTable.Format(given) != WeightTable.Format(kept))
        {
            throw new ArgumentException($"{option}: got '{WeightTable.Format(given)}'; a resumed run keeps the weights it started with ('{WeightTable.Format(kept)}')");
        }
    }

    /// <summary>A resumed run learns from the observation it started with: obs keys given again must be those.</summary>
    private static void KeepsObsKeys(string? given, IReadOnlyList<string>? kept)
    {
        if (given is not null && !RobomimicObsKeys.Parse(given).SequenceEqual(kept ?? []))
        {
            throw new ArgumentException($"{RobomimicObsKeys.Option}: got '{given}'; a resumed run keeps the obs keys it started with ({(kept is null ? "every low-dimensional one" : $"'{string.Join(',', kept)}'")})");
        }
    }

    /// <summary>A resumed run keeps its settings; only the epochs and the step budget may be extended.</summary>
    private static TrainingConfig ResumedConfig(string checkpointPath, string json, int? epochs, long? steps)
    {
        TrainingConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<TrainingConfig>(json);
        }
        catch (JsonException e)
        {
            // The serializer's message names .NET types and JSON paths; the line a user needs is which file is damaged.
            throw new InvalidDataException($"{checkpointPath}: the checkpoint's configuration is damaged (not the JSON the trainer writes, {e.Path ?? "at the start"}); start a new run without --resume", e);
        }
        config = config ?? throw new InvalidDataException($"{checkpointPath}: the checkpoint's configuration is empty");
        return config with { Epochs = epochs ?? config.Epochs, MaxSteps = steps ?? config.MaxSteps };
    }
}
