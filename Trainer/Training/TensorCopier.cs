using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Onnx;
using Robotics.Trainer.Onnx;

namespace Robotics.Trainer.Training;

/// <summary>
/// Copies tensors between host and device memory through a session of Identity nodes on the training
/// device: ONNX Runtime moves the bytes wherever each bound value lives, so the same code serves CPU and CUDA.
/// </summary>
internal sealed class TensorCopier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _count;

    public TensorCopier(IReadOnlyList<long[]> shapes, TrainingDevice device)
    {
        _count = shapes.Count;
        var g = new GraphBuilder("copy");
        for (int i = 0; i < shapes.Count; i++)
        {
            var dims = shapes[i].Select(Axis.FromInt64).ToArray();
            g.Output(g.Identity(g.Input($"x{i}", dims)), $"y{i}", dims);
        }
        _session = OrtSessions.Create(OnnxModel.Create(g.Graph), device, threads: 1);
    }

    /// <summary>Copies <paramref name="sources"/>[i] into <paramref name="destinations"/>[i].</summary>
    public void Copy(IReadOnlyList<OrtValue> sources, IReadOnlyList<OrtValue> destinations)
    {
        using var binding = _session.CreateIoBinding();
        for (int i = 0; i < _count; i++)
        {
            binding.BindInput($"x{i}", sources[i]);
            binding.BindOutput($"y{i}", destinations[i]);
        }
        using var options = new RunOptions();
        _session.RunWithBinding(options, binding);
        binding.SynchronizeBoundOutputs();
    }

    public void Dispose() => _session.Dispose();
}
