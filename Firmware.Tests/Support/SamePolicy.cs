using Robotics.Tests.Cli;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Support;

/// <summary>Round trips through an export: two inputs trained alike must learn from the same steps and give the same policy.</summary>
public static class SamePolicy
{
    /// <summary>
    /// Trains on <paramref name="first"/> and on <paramref name="second"/> (each a <c>--data</c> list) with
    /// <paramref name="options"/>, and asserts equal step counts and equal outputs on probes of <paramref name="observations"/> entries.
    /// </summary>
    public static void From(TempDirectory directory, string[] first, string[] second, int observations, params string[] options)
    {
        var runs = new[] { (Data: first, Policy: directory.File("first.onnx")), (Data: second, Policy: directory.File("second.onnx")) }
            .Select(input => CliRun.Of(TrainerCli.Build(), ["train", "--data", .. input.Data, "--out", input.Policy, .. options, "--json"]))
            .ToArray();

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Stderr));
        foreach (string figure in new[] { "train_steps", "val_steps", "skipped_non_expert" })
        {
            Assert.Equal(runs[0].Json.GetProperty(figure).GetInt64(), runs[1].Json.GetProperty(figure).GetInt64());
        }
        var probes = PolicyOutputs.Probes(observations, count: 16, seed: 3);
        Assert.Equal(PolicyOutputs.On(directory.File("first.onnx"), probes), PolicyOutputs.On(directory.File("second.onnx"), probes));
    }
}
