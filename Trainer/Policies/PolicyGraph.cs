using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Trainer.Onnx;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Policies;

/// <summary>
/// The forward part of the training graph, in its two forms: with the parameters as inputs (validation runs it
/// on the live training buffers, in normalized units) and with them baked in as initializers plus the
/// normalization (the exported policy, raw units in and out). Both are built by the same
/// <see cref="MlpGraph.Forward"/> the training step uses and the head's <see cref="PolicyHead.Forward"/>, and for an
/// ensemble <see cref="EnsembleGraph.Combine"/>.
/// </summary>
public static class PolicyGraph
{
    /// <summary>The dynamic batch axis of every policy input and output.</summary>
    public const string BatchAxis = "N";

    /// <summary>Normalized observations and the flat weight and bias groups in; normalized head outputs out (and an ensemble's novelty).</summary>
    public static ModelProto BuildEvaluation(PolicyShape shape, TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        var g = new GraphBuilder("policy_eval", elementType);
        var layout = new ParameterLayout(shape);
        string observations = g.Input(PolicyContract.ObservationInput, BatchAxis, shape.Observations);
        var parameters = layout.Views(g, g.Input(TrainingNames.Weights, layout.WeightCount), g.Input(TrainingNames.Biases, layout.BiasCount));
        var (outputs, novelty) = Normalized(g, shape, observations, parameters);
        DeclareOutputs(g, shape, outputs, novelty);
        return OnnxModel.Create(g.Graph);
    }

    /// <summary>The deployable policy: raw observations in, the head's outputs in raw units out (and an ensemble's novelty, which has no units).</summary>
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
        var (normalized, novelty) = Normalized(g, shape, observations, parameters);
        var outputs = shape.Head.ToRawUnits(g, shape, normalization, normalized);
        DeclareOutputs(g, shape, outputs, novelty);
        return OnnxModel.Create(g.Graph, metadata);
    }

    /// <summary>
    /// The policy's outputs in normalized units from normalized observations [N, obs]: the head's, or for an
    /// ensemble the members' combined (every member reads the same observations: [1, N, obs] broadcasts against
    /// [K, obs, out]) and their novelty; null novelty for a single network.
    /// </summary>
    private static (IReadOnlyList<string> Outputs, string? Novelty) Normalized(GraphBuilder g, PolicyShape shape, string observations, IReadOnlyList<string> parameters)
    {
        if (!shape.IsEnsemble)
        {
            return (shape.Head.Forward(g, shape, MlpGraph.Forward(g, shape, observations, parameters).Output), null);
        }
        var members = shape.Head.Forward(g, shape, MlpGraph.Forward(g, shape, g.Unsqueeze(observations, 0), parameters).Output);
        var (mean, logStd, novelty) = EnsembleGraph.Combine(g, members[0], members[1]);
        return ([mean, logStd], novelty);
    }

    /// <summary>The policy's output names in order: the head's, then an ensemble's novelty.</summary>
    public static IReadOnlyList<string> OutputNames(PolicyShape shape) =>
        [.. shape.Head.Outputs(shape).Select(o => o.Name), .. shape.IsEnsemble ? [PolicyContract.NoveltyOutput] : Array.Empty<string>()];

    private static void DeclareOutputs(GraphBuilder g, PolicyShape shape, IReadOnlyList<string> outputs, string? novelty)
    {
        var declared = shape.Head.Outputs(shape);
        for (int i = 0; i < declared.Count; i++)
        {
            g.Output(outputs[i], declared[i].Name, BatchAxis, declared[i].Width);
        }
        if (novelty is not null)
        {
            g.Output(novelty, PolicyContract.NoveltyOutput, BatchAxis, 1);
        }
    }
}
