using Robotics.Protos.Onnx;
using Robotics.Trainer.Onnx;

namespace Robotics.Trainer.Policies;

/// <summary>Names of the training graph's inputs and outputs.</summary>
public static class TrainingNames
{
    public const string Observations = "obs";
    public const string Target = "target";
    public const string Loss = "loss";
    public const string GradientNorm = "grad_norm";
    public const string StepSize = "step_size";
    public const string InverseSqrtBias2 = "inv_sqrt_bias2";
    public const string WeightScale = "weight_scale";
    public const string L2 = "l2";
    public const string MaxGradNorm = "max_grad_norm";

    public static string FirstMoment(string parameter) => parameter + "_m";

    public static string SecondMoment(string parameter) => parameter + "_v";

    public static string Next(string value) => value + "_next";

    public static string Gradient(string parameter) => "grad_" + parameter;
}

/// <summary>
/// One training step as a single ONNX graph: forward pass, loss, the hand-derived backward pass,
/// gradient-norm clipping and the Adam/AdamW update. Parameters and optimizer state go in as inputs and
/// come out updated, so the host keeps two buffer sets and swaps them each step.
/// </summary>
public static class TrainingGraph
{
    /// <summary>The full step: outputs loss, gradient norm and every parameter, m and v updated.</summary>
    public static ModelProto BuildStep(PolicyShape shape, int batchSize, AdamConstants adam,
        TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        var (g, parameters, loss, gradients) = BuildGradients(shape, batchSize, elementType);
        g.Output(loss.Loss, TrainingNames.Loss);

        string stepSize = g.Input(TrainingNames.StepSize);
        string inverseSqrtBias2 = g.Input(TrainingNames.InverseSqrtBias2);
        string weightScale = g.Input(TrainingNames.WeightScale);
        string l2 = g.Input(TrainingNames.L2);
        string maxNorm = g.Input(TrainingNames.MaxGradNorm);

        // Clip by the global norm: g ← g·min(1, max_norm/(‖g‖ + 1e-6)), as torch.nn.utils.clip_grad_norm_.
        string norm = g.Sqrt(g.Sum([.. gradients.Select(g.SumOfSquares)]));
        g.Output(norm, TrainingNames.GradientNorm);
        string clip = g.Min(g.Scalar(1), g.Div(maxNorm, g.Add(norm, g.Scalar(1e-6))));

        var specs = shape.Parameters;
        for (int i = 0; i < specs.Count; i++)
        {
            string p = parameters[i];
            string m = g.Input(TrainingNames.FirstMoment(p), [.. specs[i].Dims.Select(Axis.FromInt64)]);
            string v = g.Input(TrainingNames.SecondMoment(p), [.. specs[i].Dims.Select(Axis.FromInt64)]);
            string gradient = g.Mul(gradients[i], clip);
            string decayed = p;
            if (specs[i].IsWeight)
            {
                gradient = g.Add(gradient, g.Mul(l2, p));
                decayed = g.Mul(p, weightScale);
            }
            string mNext = g.Add(g.Mul(g.Scalar(adam.Beta1), m), g.Mul(g.Scalar(1 - adam.Beta1), gradient));
            string vNext = g.Add(g.Mul(g.Scalar(adam.Beta2), v), g.Mul(g.Scalar(1 - adam.Beta2), g.Mul(gradient, gradient)));
            string denominator = g.Add(g.Mul(g.Sqrt(vNext), inverseSqrtBias2), g.Scalar(adam.Epsilon));
            string pNext = g.Sub(decayed, g.Mul(stepSize, g.Div(mNext, denominator)));
            var dims = specs[i].Dims.Select(Axis.FromInt64).ToArray();
            g.Output(pNext, TrainingNames.Next(p), dims);
            g.Output(mNext, TrainingNames.Next(TrainingNames.FirstMoment(p)), dims);
            g.Output(vNext, TrainingNames.Next(TrainingNames.SecondMoment(p)), dims);
        }
        return OnnxModel.Create(g.Graph);
    }

    /// <summary>Loss and raw gradients only (no clipping, no update): what the gradient check compares.</summary>
    public static ModelProto BuildGradientsOnly(PolicyShape shape, int batchSize, TensorProto.Types.DataType elementType)
    {
        var (g, parameters, loss, gradients) = BuildGradients(shape, batchSize, elementType);
        g.Output(loss.Loss, TrainingNames.Loss);
        for (int i = 0; i < gradients.Count; i++)
        {
            g.Output(gradients[i], TrainingNames.Gradient(parameters[i]), [.. shape.Parameters[i].Dims.Select(Axis.FromInt64)]);
        }
        return OnnxModel.Create(g.Graph);
    }

    private static (GraphBuilder Graph, IReadOnlyList<string> Parameters, HeadLoss Loss, IReadOnlyList<string> Gradients) BuildGradients(
        PolicyShape shape, int batchSize, TensorProto.Types.DataType elementType)
    {
        var g = new GraphBuilder(shape.Kind == PolicyKind.Gaussian ? "gaussian_bc_step" : "categorical_bc_step", elementType);
        string observations = g.Input(TrainingNames.Observations, batchSize, shape.Observations);
        string target = shape.Kind == PolicyKind.Gaussian
            ? g.Input(TrainingNames.Target, batchSize, shape.Actions)
            : g.Input(TrainingNames.Target, TensorProto.Types.DataType.Int64, batchSize);
        var parameters = shape.Parameters.Select(p => g.Input(p.Name, [.. p.Dims.Select(Axis.FromInt64)])).ToList();
        var trace = MlpGraph.Forward(g, shape, observations, parameters);
        var loss = PolicyHead.Loss(g, shape, trace.Output, target, batchSize);
        var gradients = MlpGraph.Backward(g, shape, trace, parameters, loss.OutputGradient);
        return (g, parameters, loss, gradients);
    }
}
