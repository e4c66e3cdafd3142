using Robotics.Protos;
using Robotics.Tests.Support;
using Robotics.Trainer.Data;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Training;

[Collection(AllocationMeasurements.Name)]
public sealed class TrainingAllocationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>A step fills its batch (an ensemble: every member's, each from its own bootstrap) and runs the training graph.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void A_training_step_allocates_nothing(int members)
    {
        var config = new TrainingConfig { Hidden = [32, 32], BatchSize = 64, Threads = 1, EnsembleMembers = members };
        string logs = _directory.File("demo.mcap");
        SyntheticExperts.WriteLinearGaussian(logs, SyntheticExperts.LinearGaussian.Random(5, 2, seed: 8), episodes: 12, steps: 120, seed: 9);
        var data = TrainingData.Split(DemonstrationLoader.Load([logs], new DemonstrationFilter()), config.ValidationFraction, config.Seed, config.StdFloor);
        using var run = new TrainingRun(data, config);
        var step = run.CreateStepProbe();
        for (int i = 1; i <= 50; i++)
        {
            step(i);
        }
        long before = ThreadAllocations.StartWindow();
        for (int i = 51; i <= 1050; i++)
        {
            step(i);
        }
        Assert.Equal(0, ThreadAllocations.Since(before));
    }

    /// <summary>A weighted epoch's draws are made in arrays the run allocated once (the epoch's seeded Random aside, as unweighted).</summary>
    [Fact]
    public void Drawing_a_weighted_epoch_allocates_nothing()
    {
        var weights = Enumerable.Range(0, 5000).Select(i => 0.1f + i % 7).ToArray();
        var order = new WeightedOrder(weights);
        var drawn = new int[weights.Length];
        var random = new Random(3);
        order.Draw(drawn, random);
        long before = ThreadAllocations.StartWindow();
        for (int epoch = 0; epoch < 20; epoch++)
        {
            order.Draw(drawn, random);
        }
        Assert.Equal(0, ThreadAllocations.Since(before));
    }
}
