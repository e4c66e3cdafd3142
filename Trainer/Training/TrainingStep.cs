using Microsoft.ML.OnnxRuntime;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>
/// Runs the training graph once per call with everything bound once up front: the batch and the per-step
/// scalars live in host arrays the caller fills, the weights, biases and moments in the store's two sets, and two
/// IoBindings (set 0 → set 1, set 1 → set 0) alternate. A step is one RunWithBinding call: no allocation.
/// </summary>
internal sealed class TrainingStep : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ParameterStore _store;
    private readonly OrtIoBinding[] _bindings;
    private readonly RunOptions _runOptions = new();
    private readonly List<OrtValue> _hostValues = [];
    private readonly float[] _stepSize = new float[1];
    private readonly float[] _epsilon = new float[1];
    private readonly float[] _decay = new float[1];
    private readonly float[] _maxGradNorm = new float[1];
    private readonly float[] _loss = new float[1];
    private readonly float[] _gradientNorm = new float[1];
    private readonly AdamConstants _adam;
    private readonly TrainingConfig _config;
    private readonly int _members;

    /// <param name="train">The samples the batches are drawn from (see <see cref="Targets"/>).</param>
    public TrainingStep(InferenceSession session, ParameterStore store, PolicyShape shape, SampleSet train, int batchSize, TrainingConfig config, AdamConstants adam)
    {
        _session = session;
        _store = store;
        _config = config;
        _adam = adam;
        _members = shape.EnsembleMembers;
        // An ensemble's batch is every member's: K·batch rows.
        int rows = _members * batchSize;
        Observations = new float[rows * shape.Observations];
        Targets = shape.Head.BatchTargets(train, shape, rows);

        var inputs = new Dictionary<string, OrtValue>
        {
            [TrainingNames.Observations] = Host(Observations, rows, shape.Observations),
            [TrainingNames.Target] = Targets.Value,
            [TrainingNames.StepSize] = Host(_stepSize),
            [TrainingNames.Epsilon] = Host(_epsilon),
            [TrainingNames.Decay] = Host(_decay),
            [TrainingNames.MaxGradNorm] = Host(_maxGradNorm),
        };
        var loss = Host(_loss);
        var gradientNorm = Host(_gradientNorm);
        var names = TrainingNames.State;
        _bindings = new OrtIoBinding[2];
        for (int set = 0; set < 2; set++)
        {
            var binding = session.CreateIoBinding();
            foreach (var (name, value) in inputs)
            {
                binding.BindInput(name, value);
            }
            for (int i = 0; i < names.Count; i++)
            {
                binding.BindInput(names[i], store.Set(set)[i]);
                binding.BindOutput(TrainingNames.Next(names[i]), store.Set(set ^ 1)[i]);
            }
            binding.BindOutput(TrainingNames.Loss, loss);
            binding.BindOutput(TrainingNames.GradientNorm, gradientNorm);
            _bindings[set] = binding;
        }
    }

    /// <summary>The batch's normalized observations, [batch, observations] (an ensemble's [K·batch, observations]); fill before <see cref="Run"/>.</summary>
    public float[] Observations { get; }

    /// <summary>The batch's targets, in the head's form; fill before <see cref="Run"/>.</summary>
    public TargetBatch Targets { get; }

    /// <summary>Global gradient norm of the last step, before clipping.</summary>
    public float GradientNorm => _gradientNorm[0];

    /// <summary>One optimizer step (1-based <paramref name="step"/>) on the filled batch; returns the batch loss (an ensemble's: its members' mean).</summary>
    public float Run(long step, double learningRate)
    {
        AdamStep.Scalars(_adam, learningRate, _config.WeightDecay, _config.Optimizer == OptimizerKind.AdamW, _config.MaxGradNorm, step,
            out _stepSize[0], out _epsilon[0], out _decay[0], out _maxGradNorm[0]);
        _session.RunWithBinding(_runOptions, _bindings[_store.Current]);
        _store.Advance();
        // The graph's ensemble loss is the members' sum, so that each member's gradient is its own loss's.
        return _loss[0] / _members;
    }

    public void Dispose()
    {
        foreach (var binding in _bindings)
        {
            binding.Dispose();
        }
        _hostValues.ForEach(v => v.Dispose());
        Targets.Dispose();
        _runOptions.Dispose();
    }

    private OrtValue Host<T>(T[] values, params long[] dims) where T : unmanaged
    {
        var value = OrtValue.CreateTensorValueFromMemory(values, dims);
        _hostValues.Add(value);
        return value;
    }
}
