using System.CommandLine;
using System.Diagnostics;
using Robotics.Controller.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Cli;

/// <summary>A mistyped option or command: one short error whose last words are the suggestion, not a screen of help.</summary>
public sealed class TypoTests
{
    public static TheoryData<string, string[], string> Typos => new()
    {
        { "controller", ["run", "--robot", "sim:reach", "--polcy", "policy.onnx"], "error: run has no option '--polcy' (`run --help` lists them); did you mean --policy?" },
        { "controller", ["run", "--robot", "sim:reach", "--polcy=policy.onnx"], "error: run has no option '--polcy' (`run --help` lists them); did you mean --policy?" },
        { "controller", ["rn", "--robot", "sim:reach"], "error: there is no command 'rn' (`--help` lists them); did you mean run?" },
        { "controller", ["bench", "log", "--stps", "3"], "error: bench log has no option '--stps' (`bench log --help` lists them); did you mean --steps?" },
        { "trainer", ["train", "--dat", "logs", "--out", "policy.onnx"], "error: train has no option '--dat' (`train --help` lists them); did you mean --data?" },
        { "trainer", ["log", "inf", "run.mcap"], "error: log has no command 'inf' (`log --help` lists them); did you mean info?" },
        { "trainer", ["log", "info", "run.mcap", "--jsn"], "error: log info has no option '--jsn' (`log info --help` lists them); did you mean --json?" },
        { "trainer", ["train", "--zzzzzzzz", "--data", "logs"], "error: train has no option '--zzzzzzzz' (`train --help` lists them)" },
    };

    [Theory]
    [MemberData(nameof(Typos))]
    public void A_typo_is_one_line_that_ends_with_the_suggestion(string cli, string[] args, string expected)
    {
        var run = CliRun.Of(Build(cli), args);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal(expected, run.Stderr.TrimEnd());
    }

    [Fact]
    public async Task The_controller_program_prints_only_the_line_with_the_suggestion()
    {
        var start = new ProcessStartInfo("dotnet", [RepoPaths.ControllerDll, "run", "--robot", "sim:reach", "--polcy", "policy.onnx"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var controller = Process.Start(start)!;
        var stdout = controller.StandardOutput.ReadToEndAsync();
        string stderr = await controller.StandardError.ReadToEndAsync();
        await controller.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(1, controller.ExitCode);
        Assert.Equal("", await stdout);
        Assert.EndsWith("did you mean --policy?", Assert.Single(stderr.TrimEnd().Split('\n')));
    }

    private static RootCommand Build(string cli) => cli == "controller" ? ControllerCli.Build() : TrainerCli.Build();
}
