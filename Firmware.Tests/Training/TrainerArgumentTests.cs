using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Training;

/// <summary>
/// Every numeric flag of the trainer's commands out of its range or not a number: one error line naming the
/// flag, what it got and the range, exit code 1, no stack trace or .NET type names, and nothing written.
/// </summary>
public sealed class TrainerArgumentTests : IDisposable
{
    private const string Hidden = "it must be 1 to 8 comma-separated layer widths of 1 to 2048 units each";
    private readonly TempDirectory _directory = new();
    private readonly string _log;

    public TrainerArgumentTests()
    {
        _log = _directory.File("demo.mcap");
        SyntheticExperts.WriteLinearGaussian(_log, SyntheticExperts.LinearGaussian.Random(3, 2, seed: 1), episodes: 5, steps: 20, seed: 2);
    }

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("--hidden: got '200000000'; " + Hidden, "--hidden", "200000000")]
    [InlineData("--hidden: got '8,abc'; " + Hidden, "--hidden", "8,abc")]
    [InlineData("--hidden: got '8,8,8,8,8,8,8,8,8'; " + Hidden, "--hidden", "8,8,8,8,8,8,8,8,8")]
    [InlineData("--hidden: got '0'; " + Hidden, "--hidden", "0")]
    [InlineData("--epochs: got '0'; it must be a whole number from 1 to 1000000", "--epochs", "0")]
    [InlineData("--epochs: got '99999999999'; it must be a whole number from 1 to 1000000", "--epochs", "99999999999")]
    [InlineData("--epochs: got 'ten'; it must be a whole number from 1 to 1000000", "--epochs", "ten")]
    [InlineData("--steps: got '-1'; it must be a whole number from 0 to 1000000000", "--steps", "-1")]
    [InlineData("--batch: got '0'; it must be a whole number from 1 to 8192", "--batch", "0")]
    [InlineData("--batch: got '2000000000'; it must be a whole number from 1 to 8192", "--batch", "2000000000")]
    [InlineData("--lr: got 'NaN'; it must be a number greater than 0 and at most 1", "--lr", "NaN")]
    [InlineData("--lr: got '0'; it must be a number greater than 0 and at most 1", "--lr", "0")]
    [InlineData("--lr: got '1e400'; it must be a number greater than 0 and at most 1", "--lr", "1e400")]
    [InlineData("--lr: got 'fast'; it must be a number greater than 0 and at most 1", "--lr", "fast")]
    [InlineData("--weight-decay: got 'NaN'; it must be a number from 0 to 1", "--weight-decay", "NaN")]
    [InlineData("--weight-decay: got '-1'; it must be a number from 0 to 1", "--weight-decay", "-1")]
    [InlineData("--max-grad-norm: got 'Infinity'; it must be a number from 0 to 1000000", "--max-grad-norm", "Infinity")]
    [InlineData("--patience: got '-1'; it must be a whole number from 0 to 1000000", "--patience", "-1")]
    [InlineData("--log-std-min: got 'NaN'; it must be a number from -20 to 20", "--log-std-min", "NaN")]
    [InlineData("--log-std-min: got '-1e308'; it must be a number from -20 to 20", "--log-std-min", "-1e308")]
    [InlineData("--log-std-min: got 2; it must be below log-std-max (2)", "--log-std-min", "2")]
    [InlineData("--val-fraction: got 'NaN'; it must be a number greater than 0 and less than 1", "--val-fraction", "NaN")]
    [InlineData("--val-fraction: got '1'; it must be a number greater than 0 and less than 1", "--val-fraction", "1")]
    [InlineData("--help-rate: got '0'; it must be a number greater than 0 and less than 1", "--help-rate", "0")]
    [InlineData("--seed: got '99999999999'; it must be a whole number from -2147483648 to 2147483647", "--seed", "99999999999")]
    [InlineData("--seed: got 'abc'; it must be a whole number from -2147483648 to 2147483647", "--seed", "abc")]
    [InlineData("--threads: got '100000'; it must be a whole number from 0 to 256", "--threads", "100000")]
    [InlineData("--threads: got '-1'; it must be a whole number from 0 to 256", "--threads", "-1")]
    public void Train_refuses_a_flag_out_of_range_naming_the_range(string error, string flag, string value)
    {
        string policy = _directory.File("policy.onnx");
        byte[] earlier = [1, 2, 3];
        File.WriteAllBytes(policy, earlier);

        var run = CliRun.Of(TrainerCli.Build(), ["train", "--data", _log, "--out", policy, flag, value]);

        AssertOneError(run, error);
        Assert.Equal(earlier, File.ReadAllBytes(policy));
        Assert.False(Directory.Exists(_directory.File("policy.run")), "a refused flag leaves no run folder");
    }

    [Theory]
    [InlineData("--episodes: got '0'; it must be a whole number from 1 to 10000", "eval", "--expert", "--robot", "sim:reach", "--episodes", "0")]
    [InlineData("--episodes: got '1000000'; it must be a whole number from 1 to 10000", "eval", "--expert", "--robot", "sim:reach", "--episodes", "1000000")]
    [InlineData("--seed: got 'x'; it must be a whole number from -2147483648 to 2147483647", "eval", "--expert", "--robot", "sim:reach", "--seed", "x")]
    [InlineData("--demos: got '1'; it must be a whole number from 2 to 1000", "demo", "--demos", "1")]
    [InlineData("--rounds: got '-1'; it must be a whole number from 0 to 20", "demo", "--rounds", "-1")]
    [InlineData("--round-episodes: got '0'; it must be a whole number from 1 to 1000", "demo", "--round-episodes", "0")]
    [InlineData("--eval-episodes: got 'many'; it must be a whole number from 1 to 10000", "demo", "--eval-episodes", "many")]
    [InlineData("--seed: got '1.5'; it must be a whole number from -2147483648 to 2147483647", "demo", "--seed", "1.5")]
    [InlineData("--observations: got '0'; it must be a whole number from 1 to 1024", "bench", "train", "--observations", "0")]
    [InlineData("--episodes: got '100000'; it must be a whole number from 2 to 500", "bench", "train", "--episodes", "100000")]
    [InlineData("--hidden: got '256,x'; " + Hidden, "bench", "train", "--hidden", "256,x")]
    [InlineData("--batch: got '0'; it must be a whole number from 1 to 8192", "bench", "train", "--batch", "0")]
    public void Eval_demo_and_bench_refuse_a_flag_out_of_range_before_writing_anything(string error, params string[] args)
    {
        string output = _directory.File("out");
        string[] where = args[0] switch
        {
            "eval" => ["--record", output],
            _ => ["--out", output],
        };

        var run = CliRun.Of(TrainerCli.Build(), [.. args, .. where]);

        AssertOneError(run, error);
        Assert.False(File.Exists(output) || Directory.Exists(output), $"{output} was written");
    }

    [Theory]
    [InlineData("--out: got an empty value; give a name or a path", "train", "--out", "")]
    [InlineData("--data: got an empty value; give a name or a path", "train", "--data", "")]
    [InlineData("--run-dir: got an empty value; give a name or a path", "train", "--run-dir", "")]
    [InlineData("--resume: got an empty value; give a name or a path", "train", "--resume", "")]
    [InlineData("--record: got an empty value; give a name or a path", "eval", "--expert", "--robot", "sim:reach", "--episodes", "1", "--record", "")]
    [InlineData("--policy: got an empty value; give a name or a path", "eval", "--policy", "", "--robot", "sim:reach")]
    [InlineData("--out: got an empty value; give a name or a path", "demo", "--quick", "--out", "")]
    [InlineData("--export: got an empty value; give a name or a path", "bench", "train", "--export", "")]
    [InlineData("policy: got an empty value; give a name or a path", "inspect", "")]
    [InlineData("path: got an empty value; give a name or a path", "log", "info", "")]
    public void An_empty_path_is_refused_naming_the_flag(string error, params string[] args)
    {
        string[] data = args[0] == "train" && !args.Contains("--data") ? ["--data", _log, "--hidden", "8", "--epochs", "1"] : [];

        var run = CliRun.Of(TrainerCli.Build(), [.. args, .. data]);

        AssertOneError(run, error);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("eval", "--robot", "sim:reach", "--episodes", "1", "--policy")]
    public void A_policy_that_is_not_there_is_said_as_every_command_says_it(params string[] args)
    {
        var run = CliRun.Of(TrainerCli.Build(), [.. args, "/nowhere/policy.onnx"]);

        AssertOneError(run, "/nowhere/policy.onnx: no such policy file");
    }

    [Fact]
    public void A_directory_given_as_the_policy_file_is_refused_before_training()
    {
        string folder = _directory.File("policies");
        Directory.CreateDirectory(folder);

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", _log, "--out", folder, "--hidden", "8", "--epochs", "1");

        AssertOneError(run, $"--out: {folder} is a directory; give a file name, such as {Path.Combine(folder, "policy.onnx")}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        Assert.False(Directory.Exists(folder + ".run"), "no run folder beside it");
    }

    [Theory]
    [InlineData("{not json", "the checkpoint's configuration is damaged")]
    [InlineData("{\"Hidden\": [200000000]}", "--hidden: got 200000000; " + Hidden)]
    [InlineData("{\"LearningRate\": \"NaN\"}", "the checkpoint's configuration is damaged")]
    public void Resume_refuses_a_checkpoint_whose_configuration_is_damaged_or_out_of_range(string config, string error)
    {
        string folder = _directory.File("policy.run");
        Directory.CreateDirectory(folder);
        string checkpoint = Path.Combine(folder, "checkpoint.pb");
        Robotics.Trainer.Training.Checkpoints.Save(checkpoint, new Robotics.Protos.Train.TrainingCheckpoint { ConfigJson = config });
        byte[] before = File.ReadAllBytes(checkpoint);

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", _log, "--out", _directory.File("policy.onnx"), "--resume", folder);

        AssertOneError(run, error);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        Assert.False(File.Exists(_directory.File("policy.onnx")));
    }

    private static void AssertOneError(CliRun run, string error)
    {
        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Contains(error, line);
        Assert.DoesNotContain("System.", run.Stderr + run.Stdout);
        Assert.DoesNotContain("Exception", run.Stderr + run.Stdout);
        Assert.DoesNotContain("   at ", run.Stderr);
    }
}
