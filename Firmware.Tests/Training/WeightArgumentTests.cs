using Robotics.Protos.Log;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Training;

/// <summary>
/// --weight-outcome and --weight-operator from the command line: bad text is one error line naming the option and
/// what it got, with nothing trained or written; a resumed run keeps its weights.
/// </summary>
public sealed class WeightArgumentTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _log;

    public WeightArgumentTests()
    {
        _log = _directory.File("demo.mcap");
        SyntheticExperts.WriteLinearGaussian(_log, SyntheticExperts.LinearGaussian.Random(3, 2, seed: 1), episodes: 6, steps: 40, seed: 2,
            outcome: episode => episode % 3 == 0 ? EpisodeOutcome.Failure : EpisodeOutcome.Success);
    }

    public void Dispose() => _directory.Dispose();

    private CliRun Train(string name, params string[] extra) => CliRun.Of(TrainerCli.Build(),
        ["train", "--data", _log, "--out", _directory.File(name + ".onnx"), "--hidden", "8", "--threads", "1", "--patience", "0", "--json", .. extra]);

    [Theory]
    [InlineData("--weight-outcome: got 'succes=1'; succes is not one of success, failure, aborted, unspecified or * (every other)", "--weight-outcome", "succes=1")]
    [InlineData("--weight-outcome: got 'success'; 'success' is not NAME=WEIGHT: give comma-separated pairs such as success=1,failure=0.2", "--weight-outcome", "success")]
    [InlineData("--weight-operator: got 'alice=1,,bob=2'; '' is not NAME=WEIGHT: give comma-separated pairs such as alice=1,bob=0.3", "--weight-operator", "alice=1,,bob=2")]
    [InlineData("--weight-operator: got '=1'; '=1' is not NAME=WEIGHT", "--weight-operator", "=1")]
    [InlineData("--weight-outcome: got 'failure=-0.5'; the weight of failure is '-0.5'; it must be a number from 0 to 1000000", "--weight-outcome", "failure=-0.5")]
    [InlineData("--weight-operator: got 'bob=NaN'; the weight of bob is 'NaN'; it must be a number from 0 to 1000000", "--weight-operator", "bob=NaN")]
    [InlineData("--weight-operator: got 'bob=1e400'; the weight of bob is '1e400'; it must be a number from 0 to 1000000", "--weight-operator", "bob=1e400")]
    [InlineData("--weight-operator: got 'bob=much'; the weight of bob is 'much'", "--weight-operator", "bob=much")]
    [InlineData("--weight-operator: got 'bob=1,bob=2'; bob is given twice", "--weight-operator", "bob=1,bob=2")]
    [InlineData("--weight-outcome: got 'success=0,failure=0,aborted=0,unspecified=0'; every weight is 0, so nothing would be learned", "--weight-outcome", "success=0,failure=0,aborted=0,unspecified=0")]
    [InlineData("--weight-operator: got 'alice=0,*=0'; every weight is 0, so nothing would be learned", "--weight-operator", "alice=0,*=0")]
    [InlineData("--weight-outcome 'success=0,failure=0': every expert step weighs 0 (success 160 steps, failure 80 steps; (unnamed) 240 steps), so nothing would be learned", "--weight-outcome", "success=0,failure=0")]
    public void Bad_weights_are_one_error_line_and_nothing_is_written(string error, string option, string value)
    {
        string policy = _directory.File("policy.onnx");
        byte[] earlier = [1, 2, 3];
        File.WriteAllBytes(policy, earlier);

        var run = CliRun.Of(TrainerCli.Build(), ["train", "--data", _log, "--out", policy, option, value]);

        Assert.Equal(1, run.ExitCode);
        string line = Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(error, line);
        Assert.DoesNotContain("Exception", run.Stderr + run.Stdout);
        Assert.Equal(earlier, File.ReadAllBytes(policy));
        Assert.False(Directory.Exists(_directory.File("policy.run")), "refused weights leave no run folder");
    }

    [Fact]
    public void A_resumed_weighted_run_keeps_its_weights_and_ends_where_an_uninterrupted_one_does()
    {
        string[] weights = ["--weight-outcome", "failure=0.25"];
        Assert.Equal(0, Train("straight", ["--epochs", "4", .. weights]).ExitCode);
        Assert.Equal(0, Train("interrupted", ["--epochs", "2", .. weights]).ExitCode);

        var refused = CliRun.Of(TrainerCli.Build(), "train", "--data", _log, "--out", _directory.File("interrupted.onnx"),
            "--resume", _directory.File("interrupted.run"), "--epochs", "4", "--weight-outcome", "failure=0.5");
        var resumed = CliRun.Of(TrainerCli.Build(), "train", "--data", _log, "--out", _directory.File("interrupted.onnx"),
            "--resume", _directory.File("interrupted.run"), "--epochs", "4", "--json");

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("error: --weight-outcome: got 'failure=0.5'; a resumed run keeps the weights it started with ('failure=0.25')", refused.Stderr.Trim());
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var straight = Checkpoints.Load(_directory.File("straight.run/checkpoint.pb"));
        var continued = Checkpoints.Load(_directory.File("interrupted.run/checkpoint.pb"));
        Assert.Equal(straight.Parameters.SelectMany(t => t.Values), continued.Parameters.SelectMany(t => t.Values));
        var failure = resumed.Json.GetProperty("composition").GetProperty("outcomes").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "failure");
        Assert.Equal(0.25, failure.GetProperty("weight").GetDouble());
        // 80 failure steps at 0.25 against 160 success steps at 1: a ninth of the weighted data.
        Assert.Equal(20.0 / 180, failure.GetProperty("share").GetDouble(), 9);
    }
}
