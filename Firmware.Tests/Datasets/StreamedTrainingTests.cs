using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Data;
using Robotics.Trainer.Streaming;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Datasets;

/// <summary>
/// Training that streams a LeRobot dataset from disk (<c>--stream</c>): it learns from exactly the samples in-memory
/// training learns from, normalized alike, a bounded pool at a time, and repeatably.
/// </summary>
public sealed class StreamedTrainingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Dataset(string name, params string[] options)
    {
        string root = _directory.File(name);
        NodeDuckDb.MakeLeRobot(root, ["--episodes", "12", "--frames", "90", .. options]);
        return root;
    }

    private static TrainingData Prepare(string root, StreamMode mode) =>
        PolicyTraining.Prepare([root], new TrainingConfig { Stream = mode, Seed = 3 });

    [Fact]
    public void Streaming_splits_counts_and_normalizes_as_training_in_memory_does()
    {
        string root = Dataset("split", "--intervention", "--files", "3");

        var held = Prepare(root, StreamMode.Off);
        var streamed = Prepare(root, StreamMode.On);

        Assert.Null(held.Stream);
        Assert.NotNull(streamed.Stream);
        Assert.Equal(held.TrainSteps, streamed.TrainSteps);
        Assert.Equal(held.TrainEpisodes, streamed.TrainEpisodes);
        Assert.Equal(held.Validation.Count, streamed.Validation.Count);
        Assert.Equal(held.Source.SkippedNonExpert, streamed.Source.SkippedNonExpert);
        foreach (var (a, b) in new[]
        {
            (held.Normalization.ObservationMean, streamed.Normalization.ObservationMean), (held.Normalization.ObservationStd, streamed.Normalization.ObservationStd),
            (held.Normalization.ActionMean, streamed.Normalization.ActionMean), (held.Normalization.ActionStd, streamed.Normalization.ActionStd),
        })
        {
            Assert.Equal(a, b, (x, y) => Math.Abs(x - y) <= 1e-5f * Math.Max(1, Math.Abs(x)));
        }
        Assert.Equal(held.Source.ActionExtremes().Low, streamed.Source.ActionExtremes().Low);
        Assert.Equal(held.Source.ActionExtremes().High, streamed.Source.ActionExtremes().High);
        Assert.Equal(Sum(held.Validation.Observations), Sum(streamed.Validation.Observations), 3);
    }

    [Fact]
    public void Frames_with_NaN_or_infinity_are_left_out_of_a_streamed_run_as_they_are_in_memory()
    {
        // A log whose steps 5 and 17 of each episode hold a NaN observation and an infinite action, exported with our
        // LeRobot writer: the streamed reader meets them as it would in any dataset.
        string log = _directory.File("nonfinite.mcap");
        HostileTeleopLogs.Write(log, episodes: 10, steps: 30, step: (episode, tick) =>
        {
            var step = HostileTeleopLogs.Step(episode, tick);
            step.Observation[1] = tick == 5 ? float.NaN : step.Observation[1];
            step.Action[0] = tick == 17 ? float.PositiveInfinity : step.Action[0];
            return step;
        });
        string root = _directory.File("nonfinite");
        var export = CliRun.Of(TrainerCli.Build(), "log", "export", log, root, "--format", "lerobot");
        Assert.True(export.ExitCode == 0, export.Stderr);

        var held = Prepare(root, StreamMode.Off);
        var streamed = Prepare(root, StreamMode.On);

        Assert.Equal(20, held.Source.SkippedNonFinite);
        Assert.Equal(held.Source.SkippedNonFinite, streamed.Source.SkippedNonFinite);
        Assert.Equal(held.TrainSteps, streamed.TrainSteps);
        Assert.Equal(held.Validation.Count, streamed.Validation.Count);
        Assert.All(streamed.Validation.Observations, v => Assert.True(float.IsFinite(v)));
        var epoch = Epochs(streamed, seed: 3, poolCapacity: 64, epochs: 1)[0];
        Assert.Equal(held.TrainSteps, epoch.Count);
        Assert.All(epoch, s => Assert.True(double.IsFinite(s.Observation) && double.IsFinite(s.Action)));
    }

    [Fact]
    public void Each_epoch_streams_every_training_sample_once_in_an_order_set_by_the_seed()
    {
        string root = Dataset("epochs", "--files", "4");
        var held = Prepare(root, StreamMode.Off);
        var streamed = Prepare(root, StreamMode.On);

        var first = Epochs(streamed, seed: 3, poolCapacity: 128, epochs: 2);
        var again = Epochs(streamed, seed: 3, poolCapacity: 128, epochs: 2);

        foreach (var epoch in first)
        {
            Assert.Equal(held.TrainSteps, epoch.Count);
            // The same samples as in memory, normalized the same: their sums agree whatever the order.
            Assert.Equal(Sum(held.Train.Observations), epoch.Sum(s => s.Observation), 2);
            Assert.Equal(Sum(held.Train.Targets), epoch.Sum(s => s.Action), 2);
        }
        Assert.NotEqual(first[0].Select(s => s.Observation), first[1].Select(s => s.Observation));
        Assert.Equal(first[0].Select(s => s.Observation), again[0].Select(s => s.Observation));
        Assert.Equal(first[1].Select(s => s.Observation), again[1].Select(s => s.Observation));
    }

    [Fact]
    public void A_streamed_run_takes_every_batch_its_epochs_promise_from_pools_smaller_than_the_split()
    {
        string root = Dataset("pools", "--files", "2");
        var data = Prepare(root, StreamMode.On);
        var config = new TrainingConfig { Hidden = [16], BatchSize = 64, Epochs = 3, Patience = 0, Threads = 1, Stream = StreamMode.On, Seed = 3 };

        using var run = new TrainingRun(data, config, streamPool: 200);
        var result = run.Run(new RunFolder(_directory.File("run")), ITrainingProgress.None);

        // 10 training episodes of 90 frames in pools of 192 (three whole batches): 4 full pools and one of 132 samples, 2 batches.
        Assert.Equal(900, data.TrainSteps);
        Assert.Equal(14, run.StepsPerEpoch);
        Assert.Equal(42, result.Steps);
        Assert.True(double.IsFinite(result.BestEvaluation.Mse));
    }

    [Fact]
    public void The_train_command_streams_when_asked_and_says_so()
    {
        string root = Dataset("cli");

        var streamed = CliRun.Of(TrainerCli.Build(), "train", "--data", root, "--out", _directory.File("s.onnx"), "--stream", "on",
            "--hidden", "16", "--epochs", "2", "--patience", "0", "--threads", "1", "--json");
        var auto = CliRun.Of(TrainerCli.Build(), "train", "--data", root, "--out", _directory.File("a.onnx"),
            "--hidden", "16", "--epochs", "2", "--patience", "0", "--threads", "1", "--json");

        Assert.True(streamed.ExitCode == 0, streamed.Stderr);
        Assert.True(streamed.Json.GetProperty("streamed").GetBoolean());
        Assert.Contains("streamed from disk", streamed.Stdout);
        Assert.True(File.Exists(_directory.File("s.onnx")));
        // A dataset this small fits in memory many times over: by default it is held.
        Assert.True(auto.ExitCode == 0, auto.Stderr);
        Assert.False(auto.Json.GetProperty("streamed").GetBoolean());
        Assert.Equal(streamed.Json.GetProperty("train_steps").GetInt64(), auto.Json.GetProperty("train_steps").GetInt64());
    }

    [Fact]
    public void What_streaming_cannot_do_is_refused_with_the_reason_and_nothing_is_written()
    {
        string root = Dataset("refused");
        string log = _directory.File("teleop.mcap");
        TestLogs.Write(log, episodes: 2, stepsPerEpisode: 20);

        var cases = new (string[] Args, string Message)[]
        {
            (["--data", root, log, "--stream", "on"], $"--stream on: {log} is not a LeRobot dataset folder or a step table"),
            (["--data", root, "--stream", "on", "--ensemble", "3"], "--ensemble: an ensemble's members resample whole episodes"),
            (["--data", root, "--stream", "on", "--only-success"], "--only-success, --weight-outcome and --weight-operator need outcomes and operators"),
        };
        foreach (var (args, message) in cases)
        {
            string policy = _directory.File("never.onnx");
            var run = CliRun.Of(TrainerCli.Build(), ["train", .. args, "--out", policy]);
            Assert.Equal(1, run.ExitCode);
            Assert.Contains(message, run.Stderr);
            Assert.False(File.Exists(policy));
        }
    }

    [Fact]
    public void A_data_file_damaged_after_the_first_pass_stops_training_with_its_name()
    {
        string root = Dataset("damaged", "--files", "2");
        var data = Prepare(root, StreamMode.On);
        string file = Path.Combine(root, "data", "chunk-000", "file-001.parquet");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        var config = new TrainingConfig { Hidden = [16], BatchSize = 64, Epochs = 2, Patience = 0, Threads = 1, Stream = StreamMode.On };

        using var run = new TrainingRun(data, config, streamPool: 128);
        var failure = Assert.Throws<InvalidDataException>(() => run.Run(new RunFolder(_directory.File("run")), ITrainingProgress.None));

        Assert.Contains(file, failure.Message);
    }

    private static double Sum(float[] values) => values.Sum(v => (double)v);

    /// <summary>Each epoch's samples as the reader delivers them: each sample's observation and action summed.</summary>
    private static List<List<(double Observation, double Action)>> Epochs(TrainingData data, int seed, int poolCapacity, int epochs)
    {
        int observations = data.Source.ObservationSize;
        int actions = data.Source.ActionNames.Count;
        using var samples = new StreamedSamples(data.Stream!, data.Normalization, poolCapacity, seed);
        samples.StartAt(1);
        var read = new List<List<(double, double)>>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var delivered = new List<(double, double)>();
            bool full;
            do
            {
                var pool = samples.Next();
                Assert.Equal(epoch, pool.Epoch);
                for (int i = 0; i < pool.Count; i++)
                {
                    delivered.Add((Sum(pool.Samples.Observations[(i * observations)..((i + 1) * observations)]), Sum(pool.Samples.Targets[(i * actions)..((i + 1) * actions)])));
                }
                // Read before the pool goes back: the reader refills a returned pool at once.
                full = pool.IsFull;
                samples.Return(pool);
            }
            while (full);
            read.Add(delivered);
        }
        return read;
    }
}
