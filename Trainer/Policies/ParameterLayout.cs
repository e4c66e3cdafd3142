using Robotics.Trainer.Onnx;

namespace Robotics.Trainer.Policies;

/// <summary>
/// Where each parameter lives in the two flat tensors the training graph keeps: every weight matrix in
/// "weights", every bias in "biases". Two flat groups instead of one tensor per parameter cut the optimizer's
/// update from a dozen ONNX nodes per parameter to a dozen per group, and weight decay applies to the whole
/// weights group (never to biases) without a mask. An ensemble's groups are member-major: member k's weights (its
/// W0, W1, … as a single network's group holds them) are the k-th block of <see cref="MemberWeightCount"/>, so the
/// graph sees a group as [K, member] and clips each member's gradient by its own norm.
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<(ParameterSpec Spec, int Offset, int Count)> _entries = [];

    public ParameterLayout(PolicyShape shape)
    {
        Shape = shape;
        foreach (var spec in shape.Parameters)
        {
            int count = spec.Count / shape.EnsembleMembers;
            _entries.Add((spec, spec.IsWeight ? MemberWeightCount : MemberBiasCount, count));
            if (spec.IsWeight)
            {
                MemberWeightCount += count;
            }
            else
            {
                MemberBiasCount += count;
            }
        }
    }

    public PolicyShape Shape { get; }

    /// <summary>One member's weights (all of them for a single network).</summary>
    public int MemberWeightCount { get; }

    /// <summary>One member's biases.</summary>
    public int MemberBiasCount { get; }

    public int WeightCount => MemberWeightCount * Shape.EnsembleMembers;

    public int BiasCount => MemberBiasCount * Shape.EnsembleMembers;

    /// <summary>Per-parameter arrays (in <see cref="PolicyShape.Parameters"/> order) into the two flat groups.</summary>
    public (float[] Weights, float[] Biases) Flatten(IReadOnlyList<float[]> parameters)
    {
        var weights = new float[WeightCount];
        var biases = new float[BiasCount];
        for (int member = 0; member < Shape.EnsembleMembers; member++)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                var (group, start) = Place(_entries[i], member, weights, biases);
                parameters[i].AsSpan(member * _entries[i].Count, _entries[i].Count).CopyTo(group.AsSpan(start));
            }
        }
        return (weights, biases);
    }

    /// <summary>The two flat groups back into per-parameter arrays.</summary>
    public float[][] Split(float[] weights, float[] biases)
    {
        var parameters = _entries.Select(e => new float[e.Spec.Count]).ToArray();
        for (int member = 0; member < Shape.EnsembleMembers; member++)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                var (group, start) = Place(_entries[i], member, weights, biases);
                group.AsSpan(start, _entries[i].Count).CopyTo(parameters[i].AsSpan(member * _entries[i].Count));
            }
        }
        return parameters;
    }

    /// <summary>
    /// Graph values viewing each parameter in the flat group inputs (Slice, then Reshape to its dims); an ensemble's
    /// groups are viewed as [K, member] and sliced along the member's axis.
    /// </summary>
    public IReadOnlyList<string> Views(GraphBuilder g, string weights, string biases)
    {
        if (!Shape.IsEnsemble)
        {
            return [.. _entries.Select(e => g.Reshape(g.Slice(e.Spec.IsWeight ? weights : biases, e.Offset, e.Offset + e.Count), e.Spec.Dims))];
        }
        string memberWeights = g.Reshape(weights, Shape.EnsembleMembers, MemberWeightCount);
        string memberBiases = g.Reshape(biases, Shape.EnsembleMembers, MemberBiasCount);
        return [.. _entries.Select(e => g.Reshape(g.Slice(e.Spec.IsWeight ? memberWeights : memberBiases, e.Offset, e.Offset + e.Count, axis: 1), e.Spec.Dims))];
    }

    /// <summary>
    /// Per-parameter gradients concatenated into the two flat groups' gradients: [count] for a single network,
    /// [K, member] for an ensemble.
    /// </summary>
    public (string Weights, string Biases) Concatenate(GraphBuilder g, IReadOnlyList<string> gradients)
    {
        long axis = Shape.IsEnsemble ? 1 : 0;
        var flat = gradients.Select(gradient => Shape.IsEnsemble ? g.Reshape(gradient, Shape.EnsembleMembers, -1) : g.Reshape(gradient, -1)).ToList();
        return (g.Concat(axis, [.. flat.Where((_, i) => _entries[i].Spec.IsWeight)]),
                g.Concat(axis, [.. flat.Where((_, i) => !_entries[i].Spec.IsWeight)]));
    }

    private (float[] Group, int Start) Place((ParameterSpec Spec, int Offset, int Count) entry, int member, float[] weights, float[] biases) =>
        entry.Spec.IsWeight ? (weights, member * MemberWeightCount + entry.Offset) : (biases, member * MemberBiasCount + entry.Offset);
}
