using System.Globalization;
using System.Text.Json.Serialization;
using Robotics.Trainer.Data;
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
    /// Gaussian: mean squared error of the mean, the action the robot takes. On a few demonstrations σ shrinks
    /// faster than the mean improves and NLL turns up after a handful of epochs while the mean keeps getting
    /// better; this keeps training the part that acts. Categorical: the Brier score (squared error of the
    /// action probabilities), which like NLL scores the whole distribution but, bounded per sample, is not
    /// dominated by a few confidently wrong ticks.
    /// </summary>
    Mse,
}

/// <summary>Whether the training samples are held in memory or streamed from disk (<see cref="Streaming.StreamChoice"/>).</summary>
public enum StreamMode
{
    /// <summary>Stream LeRobot datasets too large to hold in memory; hold everything else.</summary>
    Auto,
    On,
    Off,
}

public enum TrainingDevice
{
    Cpu,
    Cuda,
}

/// <summary>
/// Every setting of a training run, validated when built; written to the run folder as config.json. The defaults
/// are for the common case, a few tens of teleop episodes (docs/training.md#the-defaults has the measurements).
/// </summary>
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
    /// <summary>
    /// Gaussian: log σ is kept at or above this (normalized units, so e⁻² is 14 % of the action's std). The NLL
    /// weighs each sample's error by 1/σ²: with σ free to collapse on the samples the mean already fits, the
    /// rest (the rare recovery states DAgger adds) stop shaping the mean; the demo's retrained sim:reach
    /// policies collapsed at −5 (8 % and 43 % success where the same data gives 94 % and 92 % at −2).
    /// </summary>
    public double LogStdMin { get; init; } = -2;
    public double LogStdMax { get; init; } = 2;
    /// <summary>Gaussian mixture: how many components (robomimic's BC-GMM default); other heads ignore it.</summary>
    public int MixtureComponents { get; init; } = 3;
    /// <summary>
    /// Gaussian: how many networks to train as one ensemble, each from its own initialization on its own bootstrap of
    /// the training episodes (docs/bc-math.md#the-ensemble); 1 trains the single network.
    /// </summary>
    public int EnsembleMembers { get; init; } = 1;
    /// <summary>
    /// A ceiling that <see cref="Patience"/> reaches first: measured runs on a few tens of sim:reach and
    /// sim:cartpole episodes kept epochs up to 214 and stopped by 264, close to the 300 the README once gave.
    /// </summary>
    public int Epochs { get; init; } = 1000;
    /// <summary>A budget of optimizer steps that ends training before the epochs run out; 0 for none.</summary>
    public long MaxSteps { get; init; }
    /// <summary>Small, for more optimizer steps per epoch on the few thousand steps of a few tens of episodes.</summary>
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 3e-4;
    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))]
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;
    [JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Global gradient-norm clip; 0 for none.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>
    /// Stop after this many epochs without a better validation score; 0 never stops early. Long, because the
    /// validation MSE of a few held-out episodes stalls for long stretches: on 50 sim:reach episodes it once did
    /// not improve from epoch 10 to 45, then halved by epoch 107 (10, 20 or 30 would have kept epoch 10).
    /// </summary>
    public int Patience { get; init; } = 50;
    /// <summary>MSE: NLL selection exported a barely trained mean on a few tens of episodes (0 % success on sim:reach).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<SelectionMetric>))]
    public SelectionMetric SelectBy { get; init; } = SelectionMetric.Mse;
    public double ValidationFraction { get; init; } = 0.2;
    public bool OnlySuccess { get; init; }
    /// <summary>robomimic files: the obs keys that make the observation, in order; null for every low-dimensional key, by name.</summary>
    public IReadOnlyList<string>? ObsKeys { get; init; }
    /// <summary>
    /// Sampling weight per episode outcome (<see cref="OutcomeNames"/>, or * for the rest; 1 when not listed); a
    /// step's weight is its outcome's times its operator's, and 0 leaves it out (<see cref="DemonstrationWeighting"/>).
    /// </summary>
    public IReadOnlyDictionary<string, double> OutcomeWeights { get; init; } = new Dictionary<string, double>();
    /// <summary>Sampling weight per operator who drove a step (or * for the rest; 1 when not listed).</summary>
    public IReadOnlyDictionary<string, double> OperatorWeights { get; init; } = new Dictionary<string, double>();
    /// <summary>Smallest standard deviation used to normalize observations and actions, in raw units.</summary>
    public double StdFloor { get; init; } = 1e-3;
    /// <summary>Share of held-out ticks on which the deployed policy should ask for help.</summary>
    public double HelpRate { get; init; } = 0.02;
    public int Seed { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<TrainingDevice>))]
    public TrainingDevice Device { get; init; } = TrainingDevice.Cpu;
    /// <summary>ONNX Runtime intra-op threads; 0 for one per core.</summary>
    public int Threads { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<StreamMode>))]
    public StreamMode Stream { get; init; } = StreamMode.Auto;

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
        TrainingRanges.MixtureComponents.Require(MixtureComponents);
        TrainingRanges.EnsembleMembers.Require(EnsembleMembers);
        WeightTable.Validate(DemonstrationWeighting.OutcomeOption, OutcomeWeights, OutcomeNames.All);
        WeightTable.Validate(DemonstrationWeighting.OperatorOption, OperatorWeights, null);
        if (!(LogStdMin < LogStdMax))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--log-std-min: got {LogStdMin}; it must be below log-std-max ({LogStdMax})"));
        }
    }
}
