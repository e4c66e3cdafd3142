using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Training;

public sealed class TmpBaselineCapture
{
    [Fact]
    public void TmpCapture()
    {
        string tag = Environment.GetEnvironmentVariable("BC_BASELINE_TAG") ?? "x";
        using var dir = new TempDirectory();
        string g = dir.File("g.mcap");
        SyntheticExperts.WriteLinearGaussian(g, SyntheticExperts.LinearGaussian.Random(5, 2, seed: 8), episodes: 12, steps: 120, seed: 9);
        string c = dir.File("c.mcap");
        SyntheticExperts.WriteDiscrete(c, observations: 5, choices: 4, episodes: 10, steps: 100, seed: 1);
        foreach (var (name, logs) in new[] { ("gaussian", g), ("categorical", c) })
        {
            string outPath = $"/tmp/bc-baseline/{name}-{tag}.onnx";
            var run = CliRun.Of(TrainerCli.Build(), "train", "--data", logs, "--out", outPath, "--hidden", "32,16", "--epochs", "4", "--batch", "64", "--threads", "1", "--seed", "3", "--run-dir", dir.File(name + ".run"), "--json");
            Assert.True(run.ExitCode == 0, run.Stderr);
            File.Copy(dir.File(name + ".run/curves.svg"), $"/tmp/bc-baseline/{name}-{tag}.svg", true);
            File.Copy(dir.File(name + ".run/metrics.csv"), $"/tmp/bc-baseline/{name}-{tag}.csv", true);
            File.WriteAllText($"/tmp/bc-baseline/{name}-{tag}.stdout", run.Stdout);
        }
    }
}
