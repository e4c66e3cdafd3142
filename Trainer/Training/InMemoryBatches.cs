using Robotics.Trainer.Data;
using Robotics.Trainer.Policies;

namespace Robotics.Trainer.Training;

/// <summary>
/// Batches from a training set held in memory: without replacement from a seeded per-epoch shuffle (of weighted
/// samples, a seeded draw in proportion to their weights: <see cref="WeightedOrder"/>); an ensemble's members each
/// from their own bootstrap of the episodes (<see cref="MemberBootstraps"/>). Filling a batch allocates nothing.
/// </summary>
internal sealed class InMemoryBatches : IEpochBatches
{
    private readonly SampleSet _train;
    private readonly int _batchSize;
    private readonly int _observations;
    private readonly int _members;
    private readonly int _seed;
    private readonly int[] _order;
    private readonly WeightedOrder? _weightedOrder;
    private readonly MemberBootstraps? _bootstraps;

    public InMemoryBatches(SampleSet train, PolicyShape shape, int batchSize, int seed)
    {
        _train = train;
        _batchSize = batchSize;
        _observations = shape.Observations;
        _members = shape.EnsembleMembers;
        _seed = seed;
        _order = new int[train.Count];
        _weightedOrder = train.Weights.Length == 0 || shape.IsEnsemble ? null : new WeightedOrder(train.Weights);
        _bootstraps = shape.IsEnsemble ? new MemberBootstraps(train, shape.EnsembleMembers, seed) : null;
    }

    public SampleSet Samples => _train;

    public int StepsPerEpoch => _train.Count / _batchSize;

    /// <summary>
    /// The epoch's order of training samples, which depends only on the seed and the epoch: a permutation, or with
    /// weights as many draws in proportion to them, shuffled.
    /// </summary>
    public void BeginEpoch(int epoch)
    {
        if (_bootstraps is not null)
        {
            _bootstraps.Shuffle(epoch);
            return;
        }
        var random = new Random(unchecked(_seed * 1_000_003 + epoch));
        if (_weightedOrder is not null)
        {
            _weightedOrder.Draw(_order, random);
            return;
        }
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }
        random.Shuffle(_order);
    }

    public void Fill(TrainingStep step, int batch)
    {
        if (_bootstraps is not null)
        {
            FillMemberBatches(step, batch);
            return;
        }
        for (int row = 0; row < _batchSize; row++)
        {
            int sample = _order[batch * _batchSize + row];
            Array.Copy(_train.Observations, sample * _observations, step.Observations, row * _observations, _observations);
            step.Targets.Fill(row, sample);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>Member k's batch in rows k·B … k·B + B − 1, from its own epoch order.</summary>
    private void FillMemberBatches(TrainingStep step, int batch)
    {
        for (int member = 0; member < _members; member++)
        {
            for (int row = 0; row < _batchSize; row++)
            {
                int sample = _bootstraps!.Sample(member, batch * _batchSize + row);
                int at = member * _batchSize + row;
                Array.Copy(_train.Observations, sample * _observations, step.Observations, at * _observations, _observations);
                step.Targets.Fill(at, sample);
            }
        }
    }
}
