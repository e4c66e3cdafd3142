using Robotics.Trainer.Onnx;

namespace Robotics.Trainer.Policies;

/// <summary>
/// Where each parameter lives in the two flat tensors the training graph keeps: every weight matrix in
/// "weights", every bias in "biases". Two flat groups instead of one tensor per parameter cut the optimizer's
/// update from a dozen ONNX nodes per parameter to a dozen per group, and weight decay applies to the whole
/// weights group (never to biases) without a mask.
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<(ParameterSpec Spec, int Offset)> _entries = [];

    public ParameterLayout(PolicyShape shape)
    {
        Shape = shape;
        foreach (var spec in shape.Parameters)
        {
            _entries.Add((spec, spec.IsWeight ? WeightCount : BiasCount));
            if (spec.IsWeight)
            {
                WeightCount += spec.Count;
            }
            else
            {
                BiasCount += spec.Count;
            }
        }
    }

    public PolicyShape Shape { get; }

    public int WeightCount { get; }

    public int BiasCount { get; }

    /// <summary>Per-parameter arrays (in <see cref="PolicyShape.Parameters"/> order) into the two flat groups.</summary>
    public (float[] Weights, float[] Biases) Flatten(IReadOnlyList<float[]> parameters)
    {
        var weights = new float[WeightCount];
        var biases = new float[BiasCount];
        for (int i = 0; i < _entries.Count; i++)
        {
            var (spec, offset) = _entries[i];
            parameters[i].CopyTo(spec.IsWeight ? weights : biases, offset);
        }
        return (weights, biases);
    }

    /// <summary>The two flat groups back into per-parameter arrays.</summary>
    public float[][] Split(float[] weights, float[] biases) =>
        [.. _entries.Select(e => (e.Spec.IsWeight ? weights : biases).AsSpan(e.Offset, e.Spec.Count).ToArray())];

    /// <summary>Graph values viewing each parameter in the flat group inputs (Slice, then Reshape to its dims).</summary>
    public IReadOnlyList<string> Views(GraphBuilder g, string weights, string biases) =>
        [.. _entries.Select(e => g.Reshape(g.Slice(e.Spec.IsWeight ? weights : biases, e.Offset, e.Offset + e.Spec.Count), e.Spec.Dims))];

    /// <summary>Per-parameter gradients concatenated into the two flat groups' gradients.</summary>
    public (string Weights, string Biases) Concatenate(GraphBuilder g, IReadOnlyList<string> gradients)
    {
        var flat = gradients.Select(gradient => g.Reshape(gradient, -1)).ToList();
        return (g.Concat(0, [.. flat.Where((_, i) => _entries[i].Spec.IsWeight)]),
                g.Concat(0, [.. flat.Where((_, i) => !_entries[i].Spec.IsWeight)]));
    }
}
