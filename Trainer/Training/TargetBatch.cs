using Microsoft.ML.OnnxRuntime;

namespace Robotics.Trainer.Training;

/// <summary>
/// One batch of training targets in host memory, bound once as the training graph's target input and filled row
/// by row from the training set before each step (a copy: no allocation). The head chooses the element type and
/// the shape of one sample's target (<see cref="Policies.Heads.PolicyHead.BatchTargets"/>).
/// </summary>
public sealed class TargetBatch : IDisposable
{
    private readonly Array _source;
    private readonly Array _batch;
    private readonly int _width;

    private TargetBatch(Array source, Array batch, int width, OrtValue value)
    {
        _source = source;
        _batch = batch;
        _width = width;
        Value = value;
    }

    /// <summary>The tensor the training graph reads, [batch, ..sampleDims].</summary>
    public OrtValue Value { get; }

    /// <param name="source">Every sample's target, row-major.</param>
    /// <param name="sampleDims">One sample's target shape: none for a scalar label, [actions] for an action vector.</param>
    public static TargetBatch Of<T>(T[] source, int batchSize, params long[] sampleDims) where T : unmanaged
    {
        int width = (int)sampleDims.Aggregate(1L, (a, b) => a * b);
        var batch = new T[batchSize * width];
        return new TargetBatch(source, batch, width, OrtValue.CreateTensorValueFromMemory(batch, [batchSize, .. sampleDims]));
    }

    /// <summary>Copies sample <paramref name="sample"/>'s target into batch row <paramref name="row"/>.</summary>
    public void Fill(int row, int sample) => Array.Copy(_source, sample * _width, _batch, row * _width, _width);

    public void Dispose() => Value.Dispose();
}
