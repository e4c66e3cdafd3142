using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Train;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Training;

/// <summary>
/// Trains a behavioral-cloning policy: mini-batches from memory (<see cref="InMemoryBatches"/>) or streamed from disk
/// (<see cref="StreamedBatches"/>), one bound ONNX Runtime call per step, validation each epoch, early stopping on the
/// validation score (--select-by), a checkpoint each epoch, and the help thresholds from the best epoch's held-out
/// ticks. An ensemble's members train in the same step, each on its own bootstrap of the training episodes.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private static readonly AdamConstants Adam = new();
    private readonly TrainingData _data;
    private readonly TrainingConfig _config;
    private readonly InferenceSession _trainingSession;
    private readonly InferenceSession _evaluationSession;
    private readonly OrtAllocator? _deviceAllocator;
    private readonly ParameterStore _store;
    private readonly TrainingStep _step;
    private readonly PolicyEvaluator _evaluator;
    private readonly IEpochBatches _batches;

    /// <param name="streamPool">Samples per pool when the data is streamed (<see cref="StreamedBatches"/>).</param>
    public TrainingRun(TrainingData data, TrainingConfig config, int streamPool = DefaultStreamPool)
    {
        config.Validate();
        _data = data;
        _config = config;
        var source = data.Source;
        Shape = new PolicyShape(source.Kind, source.ObservationSize, source.ActionSize, config.Hidden, config.Activation,
            config.LeakySlope, config.LogStdMin, config.LogStdMax, config.MixtureComponents, config.EnsembleMembers);
        // A training set smaller than one batch trains on all of it each step.
        BatchSize = (int)Math.Min(config.BatchSize, data.TrainSteps);
        _batches = data.Stream is null
            ? new InMemoryBatches(data.Train, Shape, BatchSize, config.Seed)
            : new StreamedBatches(data, BatchSize, streamPool, config.Seed);
        StepsPerEpoch = _batches.StepsPerEpoch;

        // Streamed data has a reader thread of its own: by default ONNX Runtime leaves it a core (on two cores, measured:
        // two ONNX Runtime threads and the reader ran 2.5× slower than one thread and the reader).
        int threads = config.Threads == 0 && data.Stream is not null ? Math.Max(1, Environment.ProcessorCount - 1) : config.Threads;
        _trainingSession = OrtSessions.Create(TrainingGraph.BuildStep(Shape, BatchSize, Adam, config.Optimizer == OptimizerKind.AdamW), config.Device, threads);
        _evaluationSession = OrtSessions.Create(PolicyGraph.BuildEvaluation(Shape), config.Device, threads);
        var allocator = OrtAllocator.DefaultInstance;
        if (config.Device == TrainingDevice.Cuda)
        {
            _deviceAllocator = new OrtAllocator(_trainingSession,
                new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, 0, OrtMemType.Default));
            allocator = _deviceAllocator;
        }
        _store = new ParameterStore(new ParameterLayout(Shape), allocator, config.Device);
        _step = new TrainingStep(_trainingSession, _store, Shape, _batches.Samples, BatchSize, config, Adam);
        _evaluator = new PolicyEvaluator(_evaluationSession, _store, Shape, data.Validation, data.Normalization);
    }

    /// <summary>
    /// Samples a streamed run holds per pool, two pools at a time: 262,144 samples of 32 observations and 8 actions
    /// are 42 MB, enough to mix a few hundred episodes in each batch's draw.
    /// </summary>
    public const int DefaultStreamPool = 262_144;

    public PolicyShape Shape { get; }

    public int BatchSize { get; }

    public int StepsPerEpoch { get; }

    /// <summary>Total optimizer steps the run may take: the epochs, or the step budget if smaller.</summary>
    public long StepBudget => _config.MaxSteps > 0 ? Math.Min(_config.MaxSteps, (long)_config.Epochs * StepsPerEpoch) : (long)_config.Epochs * StepsPerEpoch;

    public TrainingResult Run(RunFolder folder, ITrainingProgress progress, TrainingCheckpoint? resume = null)
    {
        var history = resume is null ? new List<EpochMetrics>() : folder.ReadMetrics();
        long step = 0;
        int epoch = 0;
        int sinceBest = 0;
        int bestEpoch = 0;
        double bestScore = double.PositiveInfinity;
        float[][] best;
        if (resume is null)
        {
            _store.Write(ParameterInit.Create(Shape, _config.Seed));
            best = _store.Read().Parameters;
        }
        else
        {
            string path = folder.CheckpointPath;
            if (resume.DatasetFingerprint != _data.Fingerprint)
            {
                throw new InvalidDataException($"{path}: the checkpoint was trained on data {resume.DatasetFingerprint}; these logs are {_data.Fingerprint}. Resume with the same --data.");
            }
            _store.Write(new TrainingState(
                Checkpoints.FromTensors(Shape, resume.Parameters, path),
                Checkpoints.FromTensors(Shape, resume.FirstMoments, path),
                Checkpoints.FromTensors(Shape, resume.SecondMoments, path)));
            best = Checkpoints.FromTensors(Shape, resume.BestParameters, path);
            (step, epoch, sinceBest, bestEpoch, bestScore) = ((long)resume.Step, (int)resume.Epoch, (int)resume.EpochsWithoutImprovement, (int)resume.BestEpoch, resume.BestValidationScore);
        }

        Evaluation? bestEvaluation = null;
        long budget = StepBudget;
        string stopReason = "epochs done";
        long trainedSamples = 0;
        double trainedSeconds = 0;
        progress.Begin(step, budget);
        while (epoch < _config.Epochs)
        {
            if (step >= budget)
            {
                stopReason = "step budget reached";
                break;
            }
            epoch++;
            _batches.BeginEpoch(epoch);
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            int batches = 0;
            for (int batch = 0; batch < StepsPerEpoch && step < budget; batch++)
            {
                _batches.Fill(_step, batch);
                step++;
                lossSum += _step.Run(step, LearningRate.At(_config, step, budget));
                batches++;
                if (batches % 16 == 0)
                {
                    progress.Advance(step, lossSum / batches, batches * BatchSize / clock.Elapsed.TotalSeconds);
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            trainedSamples += (long)batches * BatchSize;
            trainedSeconds += seconds;

            var evaluation = _evaluator.Evaluate(_store.Current);
            double score = _config.SelectBy == SelectionMetric.Mse ? evaluation.Mse : evaluation.Nll;
            bool improved = score < bestScore;
            if (improved)
            {
                (bestScore, bestEpoch, sinceBest, bestEvaluation) = (score, epoch, 0, evaluation);
                best = _store.Read().Parameters;
            }
            else
            {
                sinceBest++;
            }
            var metrics = new EpochMetrics(epoch, step, lossSum / Math.Max(1, batches), evaluation.Nll, evaluation.Mse, evaluation.Accuracy,
                LearningRate.At(_config, step, budget), batches * BatchSize / seconds, seconds);
            history.Add(metrics);
            folder.WriteMetrics(history, $"{Shape.Head.Title} BC on {_data.Source.Robot}", bestEpoch, ValidationScore.For(_config.SelectBy, Shape.Head));
            SaveCheckpoint(folder, step, epoch, best, bestScore, bestEpoch, sinceBest);
            progress.EpochEnded(metrics, improved);
            if (_config.Patience > 0 && sinceBest >= _config.Patience)
            {
                stopReason = $"early stop: no better validation {_config.SelectBy.ToString().ToUpperInvariant()} for {_config.Patience} epochs";
                break;
            }
        }
        progress.End();

        if (bestEvaluation is null)
        {
            // Resumed after the best epoch: score the best parameters again for the help threshold.
            var current = _store.Read();
            _store.Write(current with { Parameters = best });
            bestEvaluation = _evaluator.Evaluate(_store.Current);
            _store.Write(current);
        }
        var help = HelpThresholds.From(bestEvaluation, _data.Validation, Shape.Observations, _config.HelpRate);
        folder.WriteHelpThresholds(help);
        return new TrainingResult(Shape, BatchSize, best, bestEvaluation, bestEpoch, epoch, step,
            trainedSeconds > 0 ? trainedSamples / trainedSeconds : 0, help, stopReason, history);
    }

    /// <summary>
    /// One optimizer step as the training loop runs it, filling the epoch's batches in turn (for allocation tests);
    /// the argument is the 1-based step number.
    /// </summary>
    internal Action<long> CreateStepProbe()
    {
        _batches.BeginEpoch(1);
        long budget = StepBudget;
        return step =>
        {
            _batches.Fill(_step, (int)((step - 1) % StepsPerEpoch));
            _step.Run(step, LearningRate.At(_config, step, budget));
        };
    }

    public void Dispose()
    {
        _batches.Dispose();
        _evaluator.Dispose();
        _step.Dispose();
        _store.Dispose();
        _deviceAllocator?.Dispose();
        _evaluationSession.Dispose();
        _trainingSession.Dispose();
    }

    private void SaveCheckpoint(RunFolder folder, long step, int epoch, float[][] best, double bestScore, int bestEpoch, int sinceBest)
    {
        var state = _store.Read();
        var checkpoint = new TrainingCheckpoint
        {
            ConfigJson = JsonSerializer.Serialize(_config),
            DatasetFingerprint = _data.Fingerprint,
            Step = (ulong)step,
            Epoch = (uint)epoch,
            BestValidationScore = bestScore,
            BestEpoch = (uint)bestEpoch,
            EpochsWithoutImprovement = (uint)sinceBest,
        };
        checkpoint.Parameters.AddRange(Checkpoints.ToTensors(Shape, state.Parameters));
        checkpoint.FirstMoments.AddRange(Checkpoints.ToTensors(Shape, state.FirstMoments));
        checkpoint.SecondMoments.AddRange(Checkpoints.ToTensors(Shape, state.SecondMoments));
        checkpoint.BestParameters.AddRange(Checkpoints.ToTensors(Shape, best));
        folder.SaveCheckpoint(checkpoint);
    }
}
