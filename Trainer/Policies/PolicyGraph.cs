using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Trainer.Onnx;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Policies;

/// <summary>
/// The forward part of the training graph, in its two forms: with the parameters as inputs (validation runs it
/// on the live training buffers, in normalized units) and with them baked in as initializers plus the
/// normalization (the exported policy, raw units in and out). Both are built by the same
/// <see cref="MlpGraph.Forward"/> the training step uses and the head's <see cref="PolicyHead.Forward"/>.
/// </summary>
public static class PolicyGraph
{
    /// <summary>The dynamic batch axis of every policy input and output.</summary>
    public const string BatchAxis = "N";

    /// <summary>Normalized observations and the flat weight and bias groups in; normalized head outputs out.</summary>
    public static ModelProto BuildEvaluation(PolicyShape shape, TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        var g = new GraphBuilder("policy_eval", elementType);
        var layout = new ParameterLayout(shape);
        string observations = g.Input(PolicyContract.ObservationInput, BatchAxis, shape.Observations);
        var parameters = layout.Views(g, g.Input(TrainingNames.Weights, layout.WeightCount), g.Input(TrainingNames.Biases, layout.BiasCount));
        var outputs = shape.Head.Forward(g, shape, MlpGraph.Forward(g, shape, observations, parameters).Output);
        DeclareOutputs(g, shape, outputs);
        return OnnxModel.Create(g.Graph);
    }

    /// <summary>The deployable policy: raw observations in, the head's outputs in raw units out.</summary>
    /// <param name="weights">Parameter values in <see cref="PolicyShape.Parameters"/> order.</param>
    public static ModelProto BuildExport(PolicyShape shape, Normalization normalization, IReadOnlyList<float[]> weights,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var g = new GraphBuilder($"{shape.Head.MetadataName}_bc_policy");
        string raw = g.Input(PolicyContract.ObservationInput, BatchAxis, shape.Observations);
        string inverseStd = g.Initializer("obs_inv_std", [.. normalization.ObservationStd.Select(s => 1f / s)], shape.Observations);
        string observations = g.Mul(g.Sub(raw, g.Initializer("obs_mean", normalization.ObservationMean, shape.Observations)), inverseStd);
        var specs = shape.Parameters;
        var parameters = specs.Select((p, i) => g.Initializer(p.Name, weights[i], p.Dims)).ToList();
        var normalized = shape.Head.Forward(g, shape, MlpGraph.Forward(g, shape, observations, parameters).Output);
        var outputs = shape.Head.ToRawUnits(g, shape, normalization, normalized);
        DeclareOutputs(g, shape, outputs);
        return OnnxModel.Create(g.Graph, metadata);
    }

    private static void DeclareOutputs(GraphBuilder g, PolicyShape shape, IReadOnlyList<string> outputs)
    {
        var declared = shape.Head.Outputs(shape);
        for (int i = 0; i < declared.Count; i++)
        {
            g.Output(outputs[i], declared[i].Name, BatchAxis, declared[i].Width);
        }
    }
}
