using Robotics.Protos.Onnx;
using Robotics.Trainer.Onnx;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Policies;

/// <summary>Names of the training graph's inputs and outputs.</summary>
public static class TrainingNames
{
    /// <summary>Every weight matrix, flattened and concatenated (see <see cref="ParameterLayout"/>).</summary>
    public const string Weights = "weights";
    /// <summary>Every bias, flattened and concatenated.</summary>
    public const string Biases = "biases";
    public const string Observations = "obs";
    public const string Target = "target";
    public const string Loss = "loss";
    public const string GradientNorm = "grad_norm";
    public const string StepSize = "step_size";
    public const string Epsilon = "epsilon";
    /// <summary>AdamW: the weight scale 1 − lr·decay. Adam: the L2 factor (see <see cref="AdamStep"/>).</summary>
    public const string Decay = "decay";
    public const string MaxGradNorm = "max_grad_norm";

    public static string FirstMoment(string parameter) => parameter + "_m";

    public static string SecondMoment(string parameter) => parameter + "_v";

    public static string Next(string value) => value + "_next";

    public static string Gradient(string parameter) => "grad_" + parameter;

    /// <summary>The training state tensors, in the order the parameter store keeps them.</summary>
    public static IReadOnlyList<string> State { get; } =
        [Weights, Biases, FirstMoment(Weights), FirstMoment(Biases), SecondMoment(Weights), SecondMoment(Biases)];
}

/// <summary>
/// One training step as a single ONNX graph: forward pass, loss, the hand-derived backward pass,
/// gradient-norm clipping and the Adam/AdamW update (docs/bc-math.md#the-update). Parameters and optimizer state (two flat groups, see
/// <see cref="ParameterLayout"/>) go in as inputs and come out updated, so the host keeps two buffer sets and
/// swaps them each step.
/// </summary>
public static class TrainingGraph
{
    /// <summary>
    /// The full step: outputs loss, gradient norm, and the weights, biases and their moments updated. An ensemble's
    /// loss is its members' sum and its gradient norm the norm over all members, but each member's gradient is
    /// clipped by its own norm: the members train as K separate networks would, only in one call.
    /// </summary>
    /// <param name="decoupled">AdamW (decay scales the weights) rather than Adam (decay adds to the gradient).</param>
    public static ModelProto BuildStep(PolicyShape shape, int batchSize, AdamConstants adam, bool decoupled,
        TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        var (g, layout, loss, gradients) = BuildGradients(shape, batchSize, elementType);
        g.Output(loss.Loss, TrainingNames.Loss);
        var (weightGradient, biasGradient) = layout.Concatenate(g, gradients);

        string stepSize = g.Input(TrainingNames.StepSize);
        string epsilon = g.Input(TrainingNames.Epsilon);
        string decay = g.Input(TrainingNames.Decay);
        string maxNorm = g.Input(TrainingNames.MaxGradNorm);

        // Clip by the global norm: g ← g·c, c = min(1, max_norm/(‖g‖ + 1e-6)), as torch.nn.utils.clip_grad_norm_;
        // an ensemble's norm and c are per member, [K, 1] against its [K, member] groups.
        string norm;
        if (shape.IsEnsemble)
        {
            string squared = g.Add(g.ReduceSumSquare(weightGradient, axis: 1, keepDims: true), g.ReduceSumSquare(biasGradient, axis: 1, keepDims: true));
            norm = g.Sqrt(squared);
            g.Output(g.Sqrt(g.SumAll(squared)), TrainingNames.GradientNorm);
        }
        else
        {
            norm = g.Output(g.Sqrt(g.Add(g.SumOfSquares(weightGradient), g.SumOfSquares(biasGradient))), TrainingNames.GradientNorm);
        }
        string clip = g.Min(g.Scalar(1), g.Div(maxNorm, g.Add(norm, g.Scalar(1e-6))));

        foreach (var (group, gradient, count, memberCount) in new[]
        {
            (TrainingNames.Weights, weightGradient, layout.WeightCount, layout.MemberWeightCount),
            (TrainingNames.Biases, biasGradient, layout.BiasCount, layout.MemberBiasCount),
        })
        {
            // An ensemble updates [K, member] views of its flat state, named once flattened back; a single network
            // names the update's own outputs.
            string AsGradient(string state) => shape.IsEnsemble ? g.Reshape(state, shape.EnsembleMembers, memberCount) : state;
            string? Named(string name) => shape.IsEnsemble ? null : name;
            string Emit(string value, string name) => shape.IsEnsemble ? g.Output(g.Reshape(value, -1), name, count) : g.Output(value, name, count);

            string p = AsGradient(group);
            string m = g.Input(TrainingNames.FirstMoment(group), count);
            string v = g.Input(TrainingNames.SecondMoment(group), count);
            string mNextName = TrainingNames.Next(m);
            string vNextName = TrainingNames.Next(v);
            (m, v) = (AsGradient(m), AsGradient(v));
            bool decays = group == TrainingNames.Weights;
            string mNext;
            string vNext;
            if (decays && !decoupled)
            {
                // Adam's L2 decay joins the clipped gradient before the moments.
                string adjusted = g.Add(g.Mul(gradient, clip), g.Mul(decay, p));
                mNext = g.Add(g.Mul(g.Scalar(adam.Beta1), m), g.Mul(g.Scalar(1 - adam.Beta1), adjusted), output: Named(mNextName));
                vNext = g.Add(g.Mul(g.Scalar(adam.Beta2), v), g.Mul(g.Scalar(1 - adam.Beta2), g.Mul(adjusted, adjusted)), output: Named(vNextName));
            }
            else
            {
                // The clip factor folds into the moments' scalar weights: (1 − β₁)·c and (1 − β₂)·c².
                string firstScale = g.Mul(g.Scalar(1 - adam.Beta1), clip);
                string secondScale = g.Mul(g.Scalar(1 - adam.Beta2), g.Mul(clip, clip));
                mNext = g.Add(g.Mul(g.Scalar(adam.Beta1), m), g.Mul(firstScale, gradient), output: Named(mNextName));
                vNext = g.Add(g.Mul(g.Scalar(adam.Beta2), v), g.Mul(secondScale, g.Mul(gradient, gradient)), output: Named(vNextName));
            }
            string start = decays && decoupled ? g.Mul(p, decay) : p;
            string pNext = g.Sub(start, g.Mul(stepSize, g.Div(mNext, g.Add(g.Sqrt(vNext), epsilon))), output: Named(TrainingNames.Next(group)));
            Emit(pNext, TrainingNames.Next(group));
            Emit(mNext, mNextName);
            Emit(vNext, vNextName);
        }
        return OnnxModel.Create(g.Graph);
    }

    /// <summary>Loss and raw flat gradients (no clipping, no update): what the gradient check compares.</summary>
    public static ModelProto BuildGradientsOnly(PolicyShape shape, int batchSize, TensorProto.Types.DataType elementType)
    {
        var (g, layout, loss, gradients) = BuildGradients(shape, batchSize, elementType);
        g.Output(loss.Loss, TrainingNames.Loss);
        var (weights, biases) = layout.Concatenate(g, gradients);
        // An ensemble's [K, member] gradients flattened as its state is (member-major).
        string Flat(string gradient) => shape.IsEnsemble ? g.Reshape(gradient, -1) : gradient;
        g.Output(Flat(weights), TrainingNames.Gradient(TrainingNames.Weights), layout.WeightCount);
        g.Output(Flat(biases), TrainingNames.Gradient(TrainingNames.Biases), layout.BiasCount);
        return OnnxModel.Create(g.Graph);
    }

    /// <summary>
    /// The forward and backward pass on one batch: [batch, ·] observations and targets, or an ensemble's
    /// [K·batch, ·] (member k's rows k·batch … k·batch + batch − 1, each member's from its own resample), seen as
    /// [K, batch, ·].
    /// </summary>
    private static (GraphBuilder Graph, ParameterLayout Layout, HeadLoss Loss, IReadOnlyList<string> Gradients) BuildGradients(
        PolicyShape shape, int batchSize, TensorProto.Types.DataType elementType)
    {
        var g = new GraphBuilder($"{shape.Head.MetadataName}_bc_step", elementType);
        var layout = new ParameterLayout(shape);
        int rows = shape.EnsembleMembers * batchSize;
        string observations = g.Input(TrainingNames.Observations, rows, shape.Observations);
        string target = shape.Head.TargetInput(g, TrainingNames.Target, shape, rows);
        if (shape.IsEnsemble)
        {
            observations = g.Reshape(observations, shape.EnsembleMembers, batchSize, shape.Observations);
            target = g.Reshape(target, shape.EnsembleMembers, batchSize, shape.Actions);
        }
        var parameters = layout.Views(g, g.Input(TrainingNames.Weights, layout.WeightCount), g.Input(TrainingNames.Biases, layout.BiasCount));
        var trace = MlpGraph.Forward(g, shape, observations, parameters);
        var loss = shape.Head.Loss(g, shape, trace.Output, target, batchSize);
        var gradients = MlpGraph.Backward(g, shape, trace, parameters, loss.OutputGradient, batchSize);
        return (g, layout, loss, gradients);
    }
}
