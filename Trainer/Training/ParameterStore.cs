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
/// Two sets of parameters, first and second moments in the training device's memory: each step reads one
/// set and writes the other (ping-pong), so nothing is copied between steps and, on CUDA, nothing leaves the
/// GPU. The host sees them only through <see cref="Read"/> and <see cref="Write"/> (per epoch, not per step).
/// </summary>
internal sealed class ParameterStore : IDisposable
{
    private readonly PolicyShape _shape;
    private readonly OrtValue[][] _sets;
    private readonly TensorCopier _copier;

    public ParameterStore(PolicyShape shape, OrtAllocator allocator, TrainingDevice device)
    {
        _shape = shape;
        var dims = Layout(shape);
        _sets = [.. Enumerable.Range(0, 2).Select(_ => dims.Select(d => OrtValue.CreateAllocatedTensorValue(allocator, TensorElementType.Float, d)).ToArray())];
        _copier = new TensorCopier(dims, device);
    }

    /// <summary>The set the next step reads: it holds the latest parameters.</summary>
    public int Current { get; private set; }

    public int ParameterCount => _shape.Parameters.Count;

    /// <summary>Set <paramref name="set"/>'s tensors: parameters, then first moments, then second moments.</summary>
    public IReadOnlyList<OrtValue> Set(int set) => _sets[set];

    /// <summary>After a step wrote the other set, it becomes the current one.</summary>
    public void Advance() => Current ^= 1;

    public TrainingState Read()
    {
        var state = TrainingState.Zeros(_shape);
        var host = HostViews(state);
        _copier.Copy(_sets[Current], host);
        host.ForEach(v => v.Dispose());
        return state;
    }

    public void Write(TrainingState state)
    {
        var host = HostViews(state);
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

    private List<OrtValue> HostViews(TrainingState state)
    {
        var specs = _shape.Parameters;
        return [.. state.Parameters.Concat(state.FirstMoments).Concat(state.SecondMoments)
            .Select((values, i) => OrtValue.CreateTensorValueFromMemory(values, specs[i % specs.Count].Dims))];
    }

    private static List<long[]> Layout(PolicyShape shape)
    {
        var dims = shape.Parameters.Select(p => p.Dims).ToList();
        return [.. dims, .. dims, .. dims];
    }
}
