using Microsoft.ML.OnnxRuntime;
using Robotics.Trainer.Data;

namespace Robotics.Trainer.Training;

/// <summary>
/// One batch of training targets in host memory, bound once as the training graph's target input and filled row
/// by row from the training set before each step (a copy: no allocation). The head chooses the element type and
/// the shape of one sample's target (<see cref="Policies.Heads.PolicyHead.BatchTargets"/>). A streamed training set
/// comes a pool of samples at a time: <see cref="DrawFrom"/> moves the batch on to the next pool.
/// </summary>
public sealed class TargetBatch : IDisposable
{
    private readonly Func<SampleSet, Array> _select;
    private readonly Array _batch;
    private readonly int _width;
    private Array _source;

    private TargetBatch(Func<SampleSet, Array> select, SampleSet source, Array batch, int width, OrtValue value)
    {
        _select = select;
        _source = select(source);
        _batch = batch;
        _width = width;
        Value = value;
    }

    /// <summary>The tensor the training graph reads, [batch, ..sampleDims].</summary>
    public OrtValue Value { get; }

    /// <param name="source">The samples the batches are drawn from.</param>
    /// <param name="select">Every sample's target in a sample set, row-major.</param>
    /// <param name="sampleDims">One sample's target shape: none for a scalar label, [actions] for an action vector.</param>
    public static TargetBatch Of<T>(SampleSet source, Func<SampleSet, T[]> select, int batchSize, params long[] sampleDims) where T : unmanaged
    {
        int width = (int)sampleDims.Aggregate(1L, (a, b) => a * b);
        var batch = new T[batchSize * width];
        return new TargetBatch(select, source, batch, width, OrtValue.CreateTensorValueFromMemory(batch, [batchSize, .. sampleDims]));
    }

    /// <summary>Fills the next batches from <paramref name="samples"/>.</summary>
    public void DrawFrom(SampleSet samples) => _source = _select(samples);

    /// <summary>Copies sample <paramref name="sample"/>'s target into batch row <paramref name="row"/>.</summary>
    public void Fill(int row, int sample) => Array.Copy(_source, sample * _width, _batch, row * _width, _width);

    public void Dispose() => Value.Dispose();
}
