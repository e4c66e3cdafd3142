using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Policy;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>
/// Runs the evaluation graph (the policy's forward pass with parameters as inputs) over the whole validation
/// set on the live parameter set, with inputs and outputs bound once, and scores it (weighted samples by their
/// weights, <see cref="WeightedScoring"/>); an ensemble's novelty comes along per sample.
/// </summary>
internal sealed class PolicyEvaluator : IDisposable
{
    private readonly InferenceSession _session;
    private readonly PolicyShape _shape;
    private readonly SampleSet _samples;
    private readonly Normalization _normalization;
    private readonly OrtIoBinding[] _bindings = new OrtIoBinding[2];
    private readonly List<OrtValue> _hostValues = [];
    private readonly float[][] _outputs;
    private readonly WeightedScoring? _weighted;
    private readonly float[] _novelty;

    public PolicyEvaluator(InferenceSession session, ParameterStore store, PolicyShape shape, SampleSet samples, Normalization normalization)
    {
        _session = session;
        _shape = shape;
        _samples = samples;
        _normalization = normalization;
        _weighted = WeightedScoring.For(samples, shape);
        var declared = shape.Head.Outputs(shape);
        _outputs = [.. declared.Select(o => new float[samples.Count * o.Width])];
        var observations = Host(samples.Observations, samples.Count, shape.Observations);
        var outputs = declared.Select((o, i) => Host(_outputs[i], samples.Count, o.Width)).ToList();
        _novelty = shape.IsEnsemble ? new float[samples.Count] : [];
        var novelty = shape.IsEnsemble ? Host(_novelty, samples.Count, 1) : null;
        for (int set = 0; set < 2; set++)
        {
            var binding = session.CreateIoBinding();
            binding.BindInput(PolicyContract.ObservationInput, observations);
            binding.BindInput(TrainingNames.Weights, store.Set(set)[0]);
            binding.BindInput(TrainingNames.Biases, store.Set(set)[1]);
            for (int i = 0; i < declared.Count; i++)
            {
                binding.BindOutput(declared[i].Name, outputs[i]);
            }
            if (novelty is not null)
            {
                binding.BindOutput(PolicyContract.NoveltyOutput, novelty);
            }
            _bindings[set] = binding;
        }
    }

    public Evaluation Evaluate(int set)
    {
        using var options = new RunOptions();
        _session.RunWithBinding(options, _bindings[set]);
        var evaluation = _weighted?.Score(_shape, _outputs, _normalization) ?? _shape.Head.Score(_shape, _outputs, _samples, _normalization);
        return _shape.IsEnsemble ? evaluation with { Novelty = (float[])_novelty.Clone() } : evaluation;
    }

    public void Dispose()
    {
        foreach (var binding in _bindings)
        {
            binding.Dispose();
        }
        _hostValues.ForEach(v => v.Dispose());
    }

    private OrtValue Host(float[] values, params long[] dims)
    {
        var value = OrtValue.CreateTensorValueFromMemory(values, dims);
        _hostValues.Add(value);
        return value;
    }
}
