using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Policy;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>
/// Runs the evaluation graph (the policy's forward pass with parameters as inputs) over the whole validation
/// set on the live parameter set, with inputs and outputs bound once, and scores it.
/// </summary>
internal sealed class PolicyEvaluator : IDisposable
{
    private readonly InferenceSession _session;
    private readonly PolicyShape _shape;
    private readonly SampleSet _samples;
    private readonly Normalization _normalization;
    private readonly OrtIoBinding[] _bindings = new OrtIoBinding[2];
    private readonly List<OrtValue> _hostValues = [];
    private readonly float[] _first;
    private readonly float[] _second;

    public PolicyEvaluator(InferenceSession session, ParameterStore store, PolicyShape shape, SampleSet samples, Normalization normalization)
    {
        _session = session;
        _shape = shape;
        _samples = samples;
        _normalization = normalization;
        _first = new float[samples.Count * shape.Actions];
        _second = shape.Kind == PolicyKind.Gaussian ? new float[samples.Count * shape.Actions] : [];
        var observations = Host(samples.Observations, samples.Count, shape.Observations);
        var first = Host(_first, samples.Count, shape.Actions);
        var second = shape.Kind == PolicyKind.Gaussian ? Host(_second, samples.Count, shape.Actions) : null;
        for (int set = 0; set < 2; set++)
        {
            var binding = session.CreateIoBinding();
            binding.BindInput(PolicyContract.ObservationInput, observations);
            binding.BindInput(TrainingNames.Weights, store.Set(set)[0]);
            binding.BindInput(TrainingNames.Biases, store.Set(set)[1]);
            if (shape.Kind == PolicyKind.Gaussian)
            {
                binding.BindOutput(PolicyContract.MeanOutput, first);
                binding.BindOutput(PolicyContract.LogStdOutput, second!);
            }
            else
            {
                binding.BindOutput(PolicyContract.LogitsOutput, first);
            }
            _bindings[set] = binding;
        }
    }

    public Evaluation Evaluate(int set)
    {
        using var options = new RunOptions();
        _session.RunWithBinding(options, _bindings[set]);
        return _shape.Kind == PolicyKind.Gaussian ? ScoreGaussian() : ScoreCategorical();
    }

    public void Dispose()
    {
        foreach (var binding in _bindings)
        {
            binding.Dispose();
        }
        _hostValues.ForEach(v => v.Dispose());
    }

    private Evaluation ScoreGaussian()
    {
        int n = _samples.Count;
        int a = _shape.Actions;
        double nll = 0;
        double squaredError = 0;
        var uncertainty = new float[n];
        for (int i = 0; i < n; i++)
        {
            float worst = 0;
            for (int d = 0; d < a; d++)
            {
                int k = i * a + d;
                double logStd = _second[k];
                double z = (_samples.Targets[k] - _first[k]) * Math.Exp(-logStd);
                nll += logStd + 0.5 * z * z;
                double error = (_samples.Targets[k] - _first[k]) * _normalization.ActionStd[d];
                squaredError += error * error;
                worst = Math.Max(worst, MathF.Exp((float)logStd));
            }
            uncertainty[i] = worst;
        }
        return new Evaluation(nll / n, squaredError / ((double)n * a), double.NaN, uncertainty);
    }

    private Evaluation ScoreCategorical()
    {
        int n = _samples.Count;
        int k = _shape.Actions;
        double nll = 0;
        double brier = 0;
        int correct = 0;
        var uncertainty = new float[n];
        var probabilities = new double[k];
        for (int i = 0; i < n; i++)
        {
            var logits = _first.AsSpan(i * k, k);
            double max = double.NegativeInfinity;
            int argmax = 0;
            for (int j = 0; j < k; j++)
            {
                if (logits[j] > max)
                {
                    max = logits[j];
                    argmax = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                probabilities[j] = Math.Exp(logits[j] - max);
                sum += probabilities[j];
            }
            double entropy = 0;
            long label = _samples.Labels[i];
            for (int j = 0; j < k; j++)
            {
                probabilities[j] /= sum;
                double target = j == label ? 1 : 0;
                brier += (probabilities[j] - target) * (probabilities[j] - target);
                entropy -= probabilities[j] > 0 ? probabilities[j] * Math.Log(probabilities[j]) : 0;
            }
            nll -= logits[(int)label] - max - Math.Log(sum);
            correct += argmax == label ? 1 : 0;
            uncertainty[i] = (float)(entropy / Math.Log(k));
        }
        return new Evaluation(nll / n, brier / n, (double)correct / n, uncertainty);
    }

    private OrtValue Host(float[] values, params long[] dims)
    {
        var value = OrtValue.CreateTensorValueFromMemory(values, dims);
        _hostValues.Add(value);
        return value;
    }
}
