using Robotics.Trainer.Data;
using Robotics.Trainer.Streaming;

namespace Robotics.Trainer.Training;

/// <summary>
/// Batches from a training split streamed from disk (<see cref="StreamedSamples"/>): each pool of samples in a
/// seeded shuffle of its own, batch after batch, then the next pool. A pool holds a whole number of batches, so an
/// epoch of n samples is ⌊n/B⌋ batches but for the few left over in its last pool.
/// </summary>
internal sealed class StreamedBatches : IEpochBatches
{
    private readonly StreamedSamples _samples;
    private readonly int _batchSize;
    private readonly int _observations;
    private readonly int _seed;
    private readonly int[] _order;
    private SamplePool? _current;
    private int _epoch;
    private int _poolInEpoch;
    private int _used;

    public StreamedBatches(TrainingData data, int batchSize, int poolCapacity, int seed)
    {
        var stream = data.Stream ?? throw new ArgumentException("the training data is in memory, not streamed", nameof(data));
        long samples = stream.TrainSamples;
        // Whole batches, and no bigger than the split: a small dataset does not take a large pool's memory.
        int pool = (int)Math.Max(batchSize, Math.Min(poolCapacity, samples) / batchSize * batchSize);
        _samples = new StreamedSamples(stream, data.Normalization, pool, seed);
        _batchSize = batchSize;
        _observations = data.Source.ObservationSize;
        _seed = seed;
        _order = new int[pool];
        StepsPerEpoch = checked((int)(samples / pool * (pool / batchSize) + samples % pool / batchSize));
    }

    /// <summary>None until the first batch: each pool rebinds the step's targets to its own samples.</summary>
    public SampleSet Samples { get; } = new(0, [], [], [], 0);

    public int StepsPerEpoch { get; }

    public void BeginEpoch(int epoch)
    {
        _samples.StartAt(epoch);
        _epoch = epoch;
        _poolInEpoch = 0;
    }

    public void Fill(TrainingStep step, int batch)
    {
        if (_current is null || _current.Epoch < _epoch || _used + _batchSize > _current.Count)
        {
            NextPool(step);
        }
        for (int row = 0; row < _batchSize; row++)
        {
            int sample = _order[_used + row];
            Array.Copy(_current!.Samples.Observations, sample * _observations, step.Observations, row * _observations, _observations);
            step.Targets.Fill(row, sample);
        }
        _used += _batchSize;
    }

    public void Dispose() => _samples.Dispose();

    /// <summary>Moves on to the epoch's next pool, passing over what is left of an earlier epoch's, and shuffles it.</summary>
    private void NextPool(TrainingStep step)
    {
        do
        {
            if (_current is not null)
            {
                _samples.Return(_current);
            }
            _current = _samples.Next();
        }
        while (_current.Epoch < _epoch);
        if (_current.Epoch != _epoch || _current.Count < _batchSize)
        {
            throw new InvalidOperationException($"the streamed samples are out of step with the epoch's batches (epoch {_epoch}, pool of epoch {_current.Epoch} with {_current.Count} samples)");
        }
        for (int i = 0; i < _current.Count; i++)
        {
            _order[i] = i;
        }
        new Random(unchecked((_seed * 1_000_003 + _epoch) * 7_919 + _poolInEpoch++)).Shuffle(_order.AsSpan(0, _current.Count));
        _used = 0;
        step.Targets.DrawFrom(_current.Samples);
    }
}
