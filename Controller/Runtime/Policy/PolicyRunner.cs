using Microsoft.ML.OnnxRuntime;
using Robotics.Controller.Policy.Heads;
using Robotics.Protos;
using Robotics.Protos.Policy;

namespace Robotics.Controller.Policy;

/// <summary>
/// Runs an exported policy once per tick: one ONNX Runtime session with one intra-op thread, sequential,
/// spinning off (a control loop must not burn a core between ticks), and the observation and outputs bound
/// once to arrays allocated here (each of the head's outputs to its slice of one block, an ensemble's novelty to its
/// own), so <see cref="Infer"/> is a copy and one RunWithBinding call: no allocation.
/// </summary>
public sealed class PolicyRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
    private readonly List<OrtValue> _values = [];
    private readonly float[] _observation;
    private readonly float[] _novelty = new float[1];

    public PolicyRunner(string path)
    {
        Path = path;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such policy file", path);
        }
        // Disposed once the session is made (it keeps its own copy), and alive until then: native code gets only its handle.
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Its log goes straight to stderr, coloured and naming its C++ sources; its errors arrive as exceptions too,
            // and are said as one line each (OnnxErrors).
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        // The bytes checked are the bytes loaded: reading the file twice would let a copy in progress differ between them.
        byte[] model = File.ReadAllBytes(path);
        Integrity = PolicyDigest.Verify(model, path);
        try
        {
            _session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw OnnxErrors.LoadFailed(path, e);
        }
        try
        {
            Metadata = PolicyMetadata.Parse(_session.ModelMetadata.CustomMetadataMap, path);
            _observation = new float[Metadata.ObservationNames.Count];
            Outputs = new float[Head.OutputCount(Metadata)];
            _binding = _session.CreateIoBinding();
            BindAndTry();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Binds the observation and the outputs to their arrays, after checking the model's shapes, and runs it once.</summary>
    private void BindAndTry()
    {
        int observations = _observation.Length;
        RequireShape(PolicyContract.ObservationInput, _session.InputMetadata, observations);
        _binding.BindInput(PolicyContract.ObservationInput, Bind(_observation, observations));
        foreach (var tensor in Head.Tensors(Metadata))
        {
            RequireShape(tensor.Name, _session.OutputMetadata, tensor.Width);
            _binding.BindOutput(tensor.Name, Bind(Outputs.AsMemory(tensor.Offset, tensor.Width), tensor.Width));
        }
        if (Metadata.IsEnsemble)
        {
            RequireShape(PolicyContract.NoveltyOutput, _session.OutputMetadata, 1);
            _binding.BindOutput(PolicyContract.NoveltyOutput, Bind(_novelty, 1));
        }
        // Once on the training mean, before any loop: a graph whose shapes only fail when run (a reshape its metadata
        // does not show) is refused here, not on a robot's first tick.
        Metadata.ObservationMean.CopyTo(_observation, 0);
        Infer(_observation);
    }

    public string Path { get; }

    /// <summary>Whether the file's content matched the digest its exporter stamped (a file without one loads, unchecked).</summary>
    public PolicyIntegrity Integrity { get; }

    public PolicyMetadata Metadata { get; }

    /// <summary>The policy's head: how its outputs are laid out, acted on and reported.</summary>
    public PolicyHead Head => Metadata.Head;

    /// <summary>The last inference's outputs, laid out as the head's <see cref="PolicyHead.Tensors"/> say (Gaussian: μ then log σ; categorical: logits).</summary>
    public float[] Outputs { get; }

    /// <summary>An ensemble's novelty from the last inference (its members' disagreement, <see cref="PolicyContract.NoveltyOutput"/>); 0 for a single network.</summary>
    public float Novelty => _novelty[0];

    /// <summary>Runs the policy on <paramref name="observation"/>; results land in the output arrays. Returns nanoseconds taken.</summary>
    public long Infer(ReadOnlySpan<float> observation)
    {
        long start = MonotonicClock.NowNs();
        observation.CopyTo(_observation);
        try
        {
            _session.RunWithBinding(_runOptions, _binding);
        }
        catch (OnnxRuntimeException e)
        {
            throw OnnxErrors.RunFailed(Path, e);
        }
        return MonotonicClock.NowNs() - start;
    }

    /// <summary>
    /// Times <paramref name="calls"/> bare RunWithBinding calls on the same bound buffers, nothing else: the floor
    /// a tick's work is compared with. With a period, each call waits for its absolute deadline first, so the
    /// caches are as cold as a paced loop's; without, the calls run back to back.
    /// </summary>
    public void MeasureBare(int calls, long periodNs, Action<long> record)
    {
        long deadline = MonotonicClock.NowNs() + periodNs;
        for (int i = 0; i < calls; i++)
        {
            if (periodNs > 0)
            {
                Timing.AbsoluteSleeper.SleepUntil(deadline);
                deadline += periodNs;
            }
            long start = MonotonicClock.NowNs();
            _session.RunWithBinding(_runOptions, _binding);
            record(MonotonicClock.NowNs() - start);
        }
    }

    public void Dispose()
    {
        // Also after a constructor that failed part way: the binding may not have been made.
        _binding?.Dispose();
        _values.ForEach(v => v.Dispose());
        _runOptions.Dispose();
        _session.Dispose();
    }

    private OrtValue Bind(Memory<float> values, int width)
    {
        var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values, [1, width]);
        _values.Add(value);
        return value;
    }

    private void RequireShape(string name, IReadOnlyDictionary<string, NodeMetadata> nodes, int width)
    {
        if (!nodes.TryGetValue(name, out var node))
        {
            throw new InvalidDataException($"{Path}: the model has no '{name}' tensor ({string.Join(", ", nodes.Keys)} instead)");
        }
        var dims = node.Dimensions;
        if (node.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float || dims.Length != 2 || dims[1] != width)
        {
            throw new InvalidDataException($"{Path}: '{name}' is {node.ElementDataType} [{string.Join(", ", dims)}]; its metadata implies float [N, {width}]");
        }
    }
}
