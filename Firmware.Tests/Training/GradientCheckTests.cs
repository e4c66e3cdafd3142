using Robotics.Protos.Onnx;
using Robotics.Tests.Support;
using Robotics.Trainer.Policies;
using Xunit.Abstractions;

namespace Robotics.Tests.Training;

/// <summary>
/// The hand-derived backward pass against central finite differences of the loss, both computed by ONNX
/// Runtime on the same graph code in double precision, so the comparison is exact to ~1e-7.
/// </summary>
public sealed class GradientCheckTests(ITestOutputHelper output)
{
    private const int Batch = 7;
    private const double Step = 1e-6;

    public static TheoryData<PolicyKind, Activation> Heads() => new()
    {
        { PolicyKind.Gaussian, Activation.LeakyRelu },
        { PolicyKind.Gaussian, Activation.Tanh },
        { PolicyKind.Gaussian, Activation.Relu },
        { PolicyKind.Categorical, Activation.LeakyRelu },
        { PolicyKind.Categorical, Activation.Tanh },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Backward_pass_matches_finite_differences(PolicyKind kind, Activation activation)
    {
        var shape = new PolicyShape(kind, observations: 3, actions: kind == PolicyKind.Gaussian ? 2 : 4, hidden: [5, 4], activation, leakySlope: 0.1);
        var random = new Random(42);
        var inputs = RandomInputs(shape, random);
        // Push one log σ beyond the clamp: its gradient must be zero, and finite differences agree.
        if (kind == PolicyKind.Gaussian)
        {
            var lastBias = (double[])inputs[$"b{shape.Hidden.Count}"].Data;
            lastBias[shape.Actions] = 9;
        }
        using var runner = new GraphRunner(TrainingGraph.BuildGradientsOnly(shape, Batch, TensorProto.Types.DataType.Double));
        var gradientNames = shape.Parameters.Select(p => TrainingNames.Gradient(p.Name)).ToArray();
        var analytic = runner.Run(inputs, gradientNames);

        double worst = 0;
        foreach (var parameter in shape.Parameters)
        {
            var values = (double[])inputs[parameter.Name].Data;
            var gradient = analytic[TrainingNames.Gradient(parameter.Name)];
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
                Assert.True(error < 1e-6, $"{parameter.Name}[{i}]: backward {gradient[i]:G9}, finite difference {numeric:G9}");
            }
        }
        output.WriteLine($"{kind}/{activation}: worst relative error {worst:E2}");
        if (kind == PolicyKind.Gaussian)
        {
            Assert.Equal(0, analytic[TrainingNames.Gradient($"b{shape.Hidden.Count}")][shape.Actions]);
        }
    }

    private static Dictionary<string, (Array Data, long[] Shape)> RandomInputs(PolicyShape shape, Random random)
    {
        double Uniform() => 2 * random.NextDouble() - 1;
        var inputs = new Dictionary<string, (Array Data, long[] Shape)>
        {
            [TrainingNames.Observations] = (Enumerable.Range(0, Batch * shape.Observations).Select(_ => Uniform()).ToArray(), [Batch, shape.Observations]),
            [TrainingNames.Target] = shape.Kind == PolicyKind.Gaussian
                ? (Enumerable.Range(0, Batch * shape.Actions).Select(_ => Uniform()).ToArray(), [Batch, shape.Actions])
                : (Enumerable.Range(0, Batch).Select(_ => (long)random.Next(shape.Actions)).ToArray(), [Batch]),
        };
        foreach (var parameter in shape.Parameters)
        {
            inputs[parameter.Name] = (Enumerable.Range(0, parameter.Count).Select(_ => Uniform()).ToArray(), parameter.Dims);
        }
        return inputs;
    }
}
