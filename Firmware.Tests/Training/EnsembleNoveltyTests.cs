using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Policy;
using Robotics.Tests.Support;
using Robotics.Trainer.Data;
using Robotics.Trainer.Export;
using Robotics.Trainer.Training;
using Xunit.Abstractions;

namespace Robotics.Tests.Training;

/// <summary>
/// What an ensemble's novelty is for (ThriftyDAgger's): its members agree where they were trained, and disagree
/// away from it, where each extrapolates its own way.
/// </summary>
public sealed class EnsembleNoveltyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <remarks>
    /// The expert's states are x ~ N(0, I) in three dimensions; "far" states are drawn the same way and scaled by 5,
    /// so most lie beyond any training state. The typical (median) novelty is compared, not single ticks.
    /// </remarks>
    [Fact]
    public void Novelty_is_far_larger_away_from_the_training_data_than_on_it()
    {
        var config = new TrainingConfig { Hidden = [64, 64], Epochs = 30, BatchSize = 64, LearningRate = 3e-3, Patience = 0, Threads = 1, Seed = 3, EnsembleMembers = 5 };
        var data = TrainingData.Split(StateDependentExperts.Gaussian(30, 100, 1), config.ValidationFraction, config.Seed, config.StdFloor);
        string policy = _directory.File("ensemble.onnx");
        using (var run = new TrainingRun(data, config))
        {
            PolicyExporter.Write(policy, PolicyExporter.Build(data, config, run.Run(new RunFolder(_directory.File("ensemble.run")), ITrainingProgress.None)));
        }

        float[] near = [.. StateDependentExperts.Gaussian(10, 100, 2).Episodes.SelectMany(e => e.Observations)];
        float[] far = [.. near.Select(x => 5 * x)];
        using var session = new InferenceSession(policy);
        double onData = Median(Novelty(session, near));
        double offData = Median(Novelty(session, far));

        output.WriteLine($"median novelty: {onData:G3} on the training distribution, {offData:G3} five times as far out");
        Assert.True(offData > 10 * onData, $"median novelty {offData:G3} far out is not ten times {onData:G3} on the data");
    }

    private static float[] Novelty(InferenceSession session, float[] observations)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(observations, [observations.Length / 3, 3]);
        using var outputs = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.NoveltyOutput]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static double Median(float[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
