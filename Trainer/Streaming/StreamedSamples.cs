using System.Collections.Concurrent;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Streaming;

/// <summary>
/// Reads a streamed training split on a thread of its own, epoch after epoch, into two pools that it and the
/// training loop hand back and forth: while the loop trains on one, the reader fills the other. Each epoch reads
/// every shard once, in an order that depends only on the seed and the epoch, so a run is repeatable whatever the
/// threads' timing. Memory: the two pools and one row group's buffer, reused.
/// </summary>
public sealed class StreamedSamples : IDisposable
{
    private readonly StreamedTraining _plan;
    private readonly Normalization _normalization;
    private readonly int _seed;
    private readonly int _observations;
    private readonly int _actions;
    private readonly BlockingCollection<SamplePool> _free = new(2);
    private readonly BlockingCollection<SamplePool> _filled = new(2);
    private readonly CancellationTokenSource _stop = new();
    private readonly ShardRows _rows = new();
    private Thread? _reader;
    private Exception? _failure;

    public StreamedSamples(StreamedTraining plan, Normalization normalization, int poolCapacity, int seed)
    {
        _plan = plan;
        _normalization = normalization;
        _seed = seed;
        _observations = normalization.ObservationMean.Length;
        _actions = normalization.ActionMean.Length;
        for (int i = 0; i < 2; i++)
        {
            _free.Add(new SamplePool(poolCapacity, _observations, _actions));
        }
    }

    /// <summary>Starts reading at <paramref name="epoch"/> (the first call only: the reader then goes on epoch after epoch).</summary>
    public void StartAt(int epoch)
    {
        if (_reader is not null)
        {
            return;
        }
        _reader = new Thread(() => Read(epoch)) { IsBackground = true, Name = "training data reader" };
        _reader.Start();
    }

    /// <summary>The next filled pool, waiting for the reader if it is behind; give it back with <see cref="Return"/>.</summary>
    /// <exception cref="InvalidDataException">The reader failed on a file (damaged after the first pass read it).</exception>
    public SamplePool Next()
    {
        try
        {
            return _filled.Take(_stop.Token);
        }
        catch (InvalidOperationException) when (_failure is not null)
        {
            throw _failure is InvalidDataException or IOException
                ? new InvalidDataException(_failure.Message, _failure)
                : new InvalidOperationException($"the training data reader failed: {_failure.Message}", _failure);
        }
    }

    public void Return(SamplePool pool) => _free.Add(pool);

    public void Dispose()
    {
        _stop.Cancel();
        _reader?.Join();
        _stop.Dispose();
        _free.Dispose();
        _filled.Dispose();
    }

    private void Read(int epoch)
    {
        try
        {
            for (; ; epoch++)
            {
                ReadEpoch(epoch);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Training ended.
        }
        catch (Exception e)
        {
            // Not lost on this thread: the training loop's next Next() fails with it.
            _failure = e;
            _filled.CompleteAdding();
        }
    }

    private void ReadEpoch(int epoch)
    {
        var shards = _plan.Shards.ToArray();
        // The in-memory run's per-epoch seed, for the order of shards rather than of samples.
        new Random(unchecked(_seed * 1_000_003 + epoch)).Shuffle(shards);
        var pool = _free.Take(_stop.Token);
        pool.Reset(epoch);
        foreach (var (dataset, shard) in shards)
        {
            dataset.ReadAsync(shard, _rows).GetAwaiter().GetResult();
            var rows = _rows;
            for (int row = 0; row < rows.Count; row++)
            {
                if (!_plan.Trains(dataset.Root, rows.Episodes[row]) || !StreamedTraining.Learnable(rows, row, _observations, _actions))
                {
                    continue;
                }
                pool.Add(rows.Observations.AsSpan(row * _observations, _observations), rows.Actions.AsSpan(row * _actions, _actions), _normalization);
                if (pool.IsFull)
                {
                    _filled.Add(pool, _stop.Token);
                    pool = _free.Take(_stop.Token);
                    pool.Reset(epoch);
                }
            }
        }
        _filled.Add(pool, _stop.Token);
    }
}
