using Robotics.Controller.CommandLine;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Reports;
using Robotics.Trainer.Training;
using Spectre.Console;

namespace Robotics.Tests.Demo;

/// <summary>What a demo's training stage shows while it runs: on a terminal a bar with the epoch and the best score so far; elsewhere nothing.</summary>
public sealed class StageProgressTests
{
    private static readonly ValidationScore Mse = ValidationScore.For(SelectionMetric.Mse, PolicyHeads.Named("gaussian")!);

    [Fact]
    public void On_a_terminal_a_stage_shows_the_epoch_and_the_best_score_so_far()
    {
        var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });

        int result = TrainingProgressDisplay.RunAsStage(terminal, Mse, progress =>
        {
            progress.Begin(0, 40);
            progress.EpochEnded(Epoch(1, 0.9), improved: true);
            progress.EpochEnded(Epoch(2, 0.5), improved: true);
            progress.EpochEnded(Epoch(3, 0.7), improved: false);
            // The bar redraws on its own clock: wait (bounded) for the frame that shows the third epoch's end.
            Assert.True(SpinWait.SpinUntil(() => Read(output, text).Contains("epoch 4; best val MSE 0.5 (epoch 2)", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
                Read(output, text));
            progress.End();
            return 7;
        });

        Assert.Equal(7, result);
    }

    [Fact]
    public void Without_a_terminal_a_stage_shows_nothing_and_json_never_gets_a_bar()
    {
        var output = new StringWriter();

        int result = TrainingProgressDisplay.RunAsStage(null, Mse, progress =>
        {
            progress.Begin(0, 10);
            progress.EpochEnded(Epoch(1, 0.9), improved: true);
            progress.End();
            return 7;
        });

        Assert.Equal(7, result);
        Assert.False(TrainingProgressDisplay.IsLive(new CommandOutput(output, output, json: true)));
        Assert.Empty(output.ToString());
    }

    private static EpochMetrics Epoch(int epoch, double mse) => new(epoch, epoch * 10, 1, 1, mse, double.NaN, 3e-4, 1000, 0.1);

    private static string Read(TextWriter synchronized, StringWriter text)
    {
        // TextWriter.Synchronized locks on the wrapper: take the same lock to read what the bar has written so far.
        lock (synchronized)
        {
            return text.ToString();
        }
    }
}
