using System.Text.Json;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Training;

public sealed class TrainingRunTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _logs;

    public TrainingRunTests()
    {
        _logs = _directory.File("demo.mcap");
        SyntheticExperts.WriteLinearGaussian(_logs, SyntheticExperts.LinearGaussian.Random(5, 2, seed: 8), episodes: 12, steps: 120, seed: 9);
    }

    public void Dispose() => _directory.Dispose();

    private CliRun Train(string name, params string[] extra) => CliRun.Of(TrainerCli.Build(),
        ["train", "--data", _logs, "--out", _directory.File(name + ".onnx"), "--hidden", "32,32", "--batch", "64", "--threads", "1", "--patience", "0", "--json", .. extra]);

    [Fact]
    public void The_same_seed_gives_the_same_policy_bit_for_bit()
    {
        Assert.Equal(0, Train("a", "--epochs", "3", "--seed", "4").ExitCode);
        Assert.Equal(0, Train("b", "--epochs", "3", "--seed", "4").ExitCode);
        Assert.Equal(0, Train("c", "--epochs", "3", "--seed", "5").ExitCode);

        Assert.Equal(Weights("a"), Weights("b"));
        Assert.NotEqual(Weights("a"), Weights("c"));
    }

    [Fact]
    public void A_resumed_run_ends_exactly_where_an_uninterrupted_one_does()
    {
        Assert.Equal(0, Train("straight", "--epochs", "6").ExitCode);
        Assert.Equal(0, Train("interrupted", "--epochs", "3").ExitCode);

        var resumed = CliRun.Of(TrainerCli.Build(), "train", "--data", _logs, "--out", _directory.File("interrupted.onnx"),
            "--resume", _directory.File("interrupted.run"), "--epochs", "6", "--json");

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(6, resumed.Json.GetProperty("epochs").GetInt32());
        var straight = Checkpoints.Load(_directory.File("straight.run/checkpoint.pb"));
        var continued = Checkpoints.Load(_directory.File("interrupted.run/checkpoint.pb"));
        Assert.Equal(straight.Step, continued.Step);
        Assert.Equal(straight.Parameters.SelectMany(t => t.Values), continued.Parameters.SelectMany(t => t.Values));
        Assert.Equal(straight.SecondMoments.SelectMany(t => t.Values), continued.SecondMoments.SelectMany(t => t.Values));
        Assert.Equal(Weights("straight"), Weights("interrupted"));
        Assert.Equal(6, File.ReadAllLines(_directory.File("interrupted.run/metrics.csv")).Length - 1);
    }

    [Fact]
    public void Resuming_on_other_data_is_refused()
    {
        Assert.Equal(0, Train("first", "--epochs", "1").ExitCode);
        string other = _directory.File("other.mcap");
        SyntheticExperts.WriteLinearGaussian(other, SyntheticExperts.LinearGaussian.Random(5, 2, seed: 1), episodes: 12, steps: 120, seed: 2);

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", other, "--out", _directory.File("first.onnx"), "--resume", _directory.File("first.run"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Resume with the same --data", run.Stderr);
    }

    [Fact]
    public void A_run_folder_holds_metrics_config_curves_threshold_and_checkpoint()
    {
        var run = Train("folder", "--epochs", "4", "--help-rate", "0.05");
        Assert.Equal(0, run.ExitCode);

        string folder = _directory.File("folder.run");
        var metrics = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        Assert.Equal("epoch,step,train_loss,val_nll,val_mse,val_accuracy,learning_rate,samples_per_s,seconds", metrics[0]);
        Assert.Equal(5, metrics.Length);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json"))).RootElement;
        Assert.Equal(64, config.GetProperty("BatchSize").GetInt32());
        Assert.Equal(run.Json.GetProperty("dataset_fingerprint").GetString(), config.GetProperty("Data").GetProperty("fingerprint").GetString());
        string svg = File.ReadAllText(Path.Combine(folder, "curves.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Equal(2, svg.Split("<polyline").Length - 1);
        var help = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "help_threshold.json"))).RootElement;
        Assert.Equal(0.05, help.GetProperty("help_rate").GetDouble());
        Assert.Equal(run.Json.GetProperty("help_threshold").GetDouble(), help.GetProperty("threshold").GetDouble());
        Assert.True(File.Exists(Path.Combine(folder, "checkpoint.pb")));
        foreach (string key in new[] { "val_nll", "val_mse", "samples_per_s", "epochs", "train_steps", "val_steps" })
        {
            Assert.True(run.Json.TryGetProperty(key, out _), key);
        }
    }

    [Fact]
    public void Asking_for_cuda_without_it_says_how_to_enable_it()
    {
        var run = Train("cuda", "--device", "cuda");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("-p:UseCuda=true", run.Stderr);
    }

    private string Weights(string name)
    {
        var bytes = File.ReadAllBytes(_directory.File(name + ".onnx"));
        var model = Robotics.Protos.Onnx.ModelProto.Parser.ParseFrom(bytes);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            model.Graph.Initializer.Where(t => t.Name.StartsWith('W') || t.Name.StartsWith('b')).SelectMany(t => t.RawData.ToByteArray()).ToArray()));
    }

}
