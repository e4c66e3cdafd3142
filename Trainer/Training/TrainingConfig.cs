using System.Globalization;
using System.Text.Json.Serialization;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Training;

public enum LearningRateSchedule
{
    Constant,
    /// <summary>Cosine decay from the learning rate to zero over the step budget.</summary>
    Cosine,
}

public enum OptimizerKind
{
    /// <summary>Adam with decoupled weight decay (the weights shrink by lr·decay each step).</summary>
    AdamW,
    /// <summary>Adam with L2 weight decay (decay·w added to the gradient).</summary>
    Adam,
}

/// <summary>The validation figure that picks the exported epoch and drives early stopping.</summary>
public enum SelectionMetric
{
    /// <summary>Negative log-likelihood: the mean and σ together (what help requests rely on).</summary>
    Nll,
    /// <summary>
    /// Mean squared error of the mean (Brier score for categorical): the action the robot takes. On a few
    /// demonstrations σ shrinks faster than the mean improves and NLL turns up after a handful of epochs while
    /// the mean keeps getting better; this keeps training the part that acts.
    /// </summary>
    Mse,
}

public enum TrainingDevice
{
    Cpu,
    Cuda,
}

/// <summary>Every setting of a training run, validated when built; written to the run folder as config.json.</summary>
public sealed record TrainingConfig
{
    /// <summary>The policy head; null for what the logs' action space implies (<see cref="PolicyHeads.For"/>).</summary>
    [JsonConverter(typeof(PolicyHeadJsonConverter))]
    public PolicyHead? Kind { get; init; }
    public IReadOnlyList<int> Hidden { get; init; } = [256, 256];
    [JsonConverter(typeof(JsonStringEnumConverter<Activation>))]
    public Activation Activation { get; init; } = Activation.LeakyRelu;
    /// <summary>LeakyReLU's negative slope (PyTorch's default).</summary>
    public double LeakySlope { get; init; } = 0.01;
    public double LogStdMin { get; init; } = -5;
    public double LogStdMax { get; init; } = 2;
    public int Epochs { get; init; } = 100;
    /// <summary>A budget of optimizer steps that ends training before the epochs run out; 0 for none.</summary>
    public long MaxSteps { get; init; }
    public int BatchSize { get; init; } = 256;
    public double LearningRate { get; init; } = 3e-4;
    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))]
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;
    [JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Global gradient-norm clip; 0 for none.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Stop after this many epochs without a better validation score; 0 never stops early.</summary>
    public int Patience { get; init; } = 10;
    [JsonConverter(typeof(JsonStringEnumConverter<SelectionMetric>))]
    public SelectionMetric SelectBy { get; init; } = SelectionMetric.Nll;
    public double ValidationFraction { get; init; } = 0.2;
    public bool OnlySuccess { get; init; }
    /// <summary>Smallest standard deviation used to normalize observations and actions, in raw units.</summary>
    public double StdFloor { get; init; } = 1e-3;
    /// <summary>Share of held-out ticks on which the deployed policy should ask for help.</summary>
    public double HelpRate { get; init; } = 0.02;
    public int Seed { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<TrainingDevice>))]
    public TrainingDevice Device { get; init; } = TrainingDevice.Cpu;
    /// <summary>ONNX Runtime intra-op threads; 0 for one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Fails with one line naming the first setting out of its range (<see cref="TrainingRanges"/>).</summary>
    public void Validate()
    {
        TrainingRanges.RequireHidden(Hidden);
        TrainingRanges.Epochs.Require(Epochs);
        TrainingRanges.Steps.Require(MaxSteps);
        TrainingRanges.Batch.Require(BatchSize);
        TrainingRanges.LearningRate.Require(LearningRate);
        TrainingRanges.WeightDecay.Require(WeightDecay);
        TrainingRanges.MaxGradNorm.Require(MaxGradNorm);
        TrainingRanges.Patience.Require(Patience);
        TrainingRanges.ValidationFraction.Require(ValidationFraction);
        TrainingRanges.HelpRate.Require(HelpRate);
        TrainingRanges.StdFloor.Require(StdFloor);
        TrainingRanges.Threads.Require(Threads);
        TrainingRanges.LeakySlope.Require(LeakySlope);
        TrainingRanges.LogStdMin.Require(LogStdMin);
        TrainingRanges.LogStdMax.Require(LogStdMax);
        if (!(LogStdMin < LogStdMax))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--log-std-min: got {LogStdMin}; it must be below log-std-max ({LogStdMax})"));
        }
    }
}
