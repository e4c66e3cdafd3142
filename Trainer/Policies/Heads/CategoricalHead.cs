using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Trainer.Data;
using Robotics.Trainer.Onnx;
using Robotics.Trainer.Training;

namespace Robotics.Trainer.Policies.Heads;

/// <summary>
/// Discrete actions: one logit per action, the log's single action entry being the expert's index. Targets are
/// those indices, int64 and not normalized; logits have no units, so the export emits them as they are.
/// Uncertainty: the softmax's entropy over log K, 0 when sure and 1 when all K actions are equally likely
/// (docs/bc-math.md#the-categorical-head).
/// </summary>
public sealed class CategoricalHead : PolicyHead
{
    public override string MetadataName => PolicyContract.CategoricalKind;

    public override string Title => "Categorical";

    public override bool ActsDiscretely => true;

    public override string UncertaintyMeasure => PolicyContract.NormalizedEntropy;

    public override (string Name, string Short, string Unit) SquaredError => ("Brier score of the action probabilities", "Brier", "");

    public override int MinimumActions => 2;

    public override int ActionSize(Demonstrations source) => source.DiscreteActionNames.Count;

    /// <summary>None: the targets are indices.</summary>
    public override (float[] Mean, float[] Std) ActionStatistics(ReadOnlySpan<float> actions, int width, double stdFloor) => ([], []);

    /// <summary>The indices 0..K−1.</summary>
    public override (float[] Low, float[] High) ActionRange(Demonstrations source) => ([0f], [source.DiscreteActionNames.Count - 1]);

    public override int Width(PolicyShape shape) => shape.Actions;

    public override IReadOnlyList<HeadOutput> Outputs(PolicyShape shape) => [new HeadOutput(PolicyContract.LogitsOutput, shape.Actions)];

    public override IReadOnlyList<string> Forward(GraphBuilder g, PolicyShape shape, string layerOutput) => [layerOutput];

    public override IReadOnlyList<string> ToRawUnits(GraphBuilder g, PolicyShape shape, Normalization normalization, IReadOnlyList<string> outputs) => outputs;

    /// <summary>The expert's action indices, int64 [B].</summary>
    public override string TargetInput(GraphBuilder g, string name, PolicyShape shape, int batchSize) =>
        g.Input(name, TensorProto.Types.DataType.Int64, batchSize);

    /// <summary>loss = mean over the batch of −log softmax(logits)[a*]; ∂/∂logits = (softmax − onehot)/B.</summary>
    public override HeadLoss Loss(GraphBuilder g, PolicyShape shape, string layerOutput, string target, int batchSize)
    {
        string logProbabilities = g.LogSoftmax(layerOutput, axis: 1);
        // One-hot rows as labels[:, None] == [0, 1, ..., K−1] (ONNX Runtime's OneHot kernel lacks double).
        string oneHot = g.CastToElement(g.Equal(g.Unsqueeze(target, 1), g.Int64s([.. Enumerable.Range(0, shape.Actions).Select(i => (long)i)])));
        string perBatch = g.Scalar(1.0 / batchSize);
        string loss = g.Mul(g.Neg(g.SumAll(g.Mul(oneHot, logProbabilities))), perBatch);
        string gradient = g.Mul(g.Sub(g.Exp(logProbabilities), oneHot), perBatch);
        return new HeadLoss(loss, gradient);
    }

    public override TargetBatch BatchTargets(SampleSet source, PolicyShape shape, int batchSize) => TargetBatch.Of(source, s => s.Labels, batchSize);

    /// <summary>
    /// NLL −log p(a*); Brier score Σ_k (p_k − onehot_k)²; accuracy of the argmax; uncertainty
    /// −Σ_k p_k·log p_k / log K.
    /// </summary>
    public override Training.Evaluation Score(PolicyShape shape, IReadOnlyList<float[]> outputs, SampleSet samples, Normalization normalization)
    {
        int n = samples.Count;
        int k = shape.Actions;
        double nll = 0;
        double brier = 0;
        int correct = 0;
        var uncertainty = new float[n];
        var probabilities = new double[k];
        for (int i = 0; i < n; i++)
        {
            var logits = outputs[0].AsSpan(i * k, k);
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
            long label = samples.Labels[i];
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
        return new Training.Evaluation(nll / n, brier / n, (double)correct / n, uncertainty);
    }
}
