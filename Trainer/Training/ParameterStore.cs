using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>Parameters and Adam's moments on the host, in parameter order.</summary>
public sealed record TrainingState(float[][] Parameters, float[][] FirstMoments, float[][] SecondMoments)
{
    public static TrainingState Zeros(PolicyShape shape) => new(
        [.. shape.Parameters.Select(p => new float[p.Count])],
        [.. shape.Parameters.Select(p => new float[p.Count])],
        [.. shape.Parameters.Select(p => new float[p.Count])]);
}

/// <summary>
/// Two sets of the training state (flat weights and biases, their first and second moments; see
/// <see cref="ParameterLayout"/>) in the training device's memory: each step reads one set and writes the
/// other (ping-pong), so nothing is copied between steps and, on CUDA, nothing leaves the GPU. The host sees
/// them only through <see cref="Read"/> and <see cref="Write"/> (per epoch, not per step).
/// </summary>
internal sealed class ParameterStore : IDisposable
{
    private readonly ParameterLayout _layout;
    private readonly OrtValue[][] _sets;
    private readonly TensorCopier _copier;
    private readonly long[][] _dims;

    public ParameterStore(ParameterLayout layout, OrtAllocator allocator, TrainingDevice device)
    {
        _layout = layout;
        long[] weights = [layout.WeightCount];
        long[] biases = [layout.BiasCount];
        _dims = [weights, biases, weights, biases, weights, biases];
        _sets = [.. Enumerable.Range(0, 2).Select(_ => _dims.Select(d => OrtValue.CreateAllocatedTensorValue(allocator, TensorElementType.Float, d)).ToArray())];
        _copier = new TensorCopier(_dims, device);
    }

    /// <summary>The set the next step reads: it holds the latest parameters.</summary>
    public int Current { get; private set; }

    /// <summary>Set <paramref name="set"/>'s tensors, in <see cref="TrainingNames.State"/> order.</summary>
    public IReadOnlyList<OrtValue> Set(int set) => _sets[set];

    /// <summary>After a step wrote the other set, it becomes the current one.</summary>
    public void Advance() => Current ^= 1;

    public TrainingState Read()
    {
        var flat = _dims.Select(d => new float[d[0]]).ToArray();
        var host = HostViews(flat);
        _copier.Copy(_sets[Current], host);
        host.ForEach(v => v.Dispose());
        return new TrainingState(_layout.Split(flat[0], flat[1]), _layout.Split(flat[2], flat[3]), _layout.Split(flat[4], flat[5]));
    }

    public void Write(TrainingState state)
    {
        var (w, b) = _layout.Flatten(state.Parameters);
        var (wm, bm) = _layout.Flatten(state.FirstMoments);
        var (wv, bv) = _layout.Flatten(state.SecondMoments);
        var host = HostViews([w, b, wm, bm, wv, bv]);
        _copier.Copy(host, _sets[Current]);
        host.ForEach(v => v.Dispose());
    }

    public void Dispose()
    {
        foreach (var value in _sets.SelectMany(set => set))
        {
            value.Dispose();
        }
        _copier.Dispose();
    }

    private List<OrtValue> HostViews(float[][] flat) => [.. flat.Select((values, i) => OrtValue.CreateTensorValueFromMemory(values, _dims[i]))];
}
