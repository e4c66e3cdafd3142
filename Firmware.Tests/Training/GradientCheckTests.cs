using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Tests.Support;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;
using Xunit.Abstractions;

namespace Robotics.Tests.Training;

/// <summary>
/// The hand-derived backward pass against central finite differences of the loss, both computed by ONNX
/// Runtime on the same graph code in double precision, so the comparison is exact to ~1e-7. The ensemble rows check
/// the batched backward pass of K members at once (each member's batch its own random rows), whose loss is the
/// members' sum.
/// </summary>
public sealed class GradientCheckTests(ITestOutputHelper output)
{
    private const int Batch = 7;
    private const double Step = 1e-6;

    public static TheoryData<string, Activation, int> Heads() => new()
    {
        { PolicyContract.GaussianKind, Activation.LeakyRelu, 1 },
        { PolicyContract.GaussianKind, Activation.Tanh, 1 },
        { PolicyContract.GaussianKind, Activation.Relu, 1 },
        { PolicyContract.CategoricalKind, Activation.LeakyRelu, 1 },
        { PolicyContract.CategoricalKind, Activation.Tanh, 1 },
        { PolicyContract.GaussianMixtureKind, Activation.LeakyRelu, 1 },
        { PolicyContract.GaussianMixtureKind, Activation.Tanh, 1 },
        { PolicyContract.GaussianKind, Activation.LeakyRelu, 3 },
        { PolicyContract.GaussianKind, Activation.Tanh, 2 },
        { PolicyContract.GaussianKind, Activation.Relu, 3 },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Backward_pass_matches_finite_differences(string kind, Activation activation, int members)
    {
        var head = PolicyHeads.Named(kind)!;
        bool hasSigma = !head.ActsDiscretely;
        var shape = new PolicyShape(head, observations: 3, actions: hasSigma ? 2 : 4, hidden: [5, 4], activation, leakySlope: 0.1, mixtureComponents: 3,
            ensembleMembers: members);
        var random = new Random(42);
        var layout = new ParameterLayout(shape);
        var inputs = RandomInputs(shape, layout, random);
        // Push one log σ beyond the clamp: its gradient must be zero, and finite differences agree. The last
        // layer's bias is the tail of the bias group (of the last member's block, in an ensemble), and both heads with a
        // σ put their log σ biases last.
        int clampedBias = layout.BiasCount - shape.Actions;
        if (hasSigma)
        {
            ((double[])inputs[TrainingNames.Biases].Data)[clampedBias] = 9;
        }
        using var runner = new GraphRunner(TrainingGraph.BuildGradientsOnly(shape, Batch, TensorProto.Types.DataType.Double));
        string[] groups = [TrainingNames.Weights, TrainingNames.Biases];
        var analytic = runner.Run(inputs, [.. groups.Select(TrainingNames.Gradient)]);

        double worst = 0;
        foreach (string group in groups)
        {
            var values = (double[])inputs[group].Data;
            var gradient = analytic[TrainingNames.Gradient(group)];
            for (int i = 0; i < values.Length; i++)
            {
                double original = values[i];
                values[i] = original + Step;
                double plus = runner.Run(inputs, TrainingNames.Loss)[TrainingNames.Loss][0];
                values[i] = original - Step;
                double minus = runner.Run(inputs, TrainingNames.Loss)[TrainingNames.Loss][0];
                values[i] = original;
                double numeric = (plus - minus) / (2 * Step);
                double error = Math.Abs(numeric - gradient[i]) / Math.Max(1, Math.Abs(numeric));
                worst = Math.Max(worst, error);
                Assert.True(error < 1e-6, $"{group}[{i}]: backward {gradient[i]:G9}, finite difference {numeric:G9}");
            }
        }
        output.WriteLine($"{kind}/{activation}/{members} member(s): worst relative error {worst:E2}");
        if (hasSigma)
        {
            Assert.Equal(0, analytic[TrainingNames.Gradient(TrainingNames.Biases)][clampedBias]);
        }
    }

    private static Dictionary<string, (Array Data, long[] Shape)> RandomInputs(PolicyShape shape, ParameterLayout layout, Random random)
    {
        double Uniform() => 2 * random.NextDouble() - 1;
        int rows = shape.EnsembleMembers * Batch;
        var inputs = new Dictionary<string, (Array Data, long[] Shape)>
        {
            [TrainingNames.Observations] = (Enumerable.Range(0, rows * shape.Observations).Select(_ => Uniform()).ToArray(), [rows, shape.Observations]),
            [TrainingNames.Target] = !shape.Head.ActsDiscretely
                ? (Enumerable.Range(0, rows * shape.Actions).Select(_ => Uniform()).ToArray(), [rows, shape.Actions])
                : (Enumerable.Range(0, rows).Select(_ => (long)random.Next(shape.Actions)).ToArray(), [rows]),
        };
        inputs[TrainingNames.Weights] = (Enumerable.Range(0, layout.WeightCount).Select(_ => Uniform()).ToArray(), [layout.WeightCount]);
        inputs[TrainingNames.Biases] = (Enumerable.Range(0, layout.BiasCount).Select(_ => Uniform()).ToArray(), [layout.BiasCount]);
        return inputs;
    }
}
