using System.Globalization;
using Robotics.Trainer.Training;
using Spectre.Console;
using Robotics.Controller.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary>Shows a run's progress: a live bar in a terminal, one line per epoch when output is captured.</summary>
internal static class TrainingProgressDisplay
{
    public static T Run<T>(CommandOutput console, bool interactive, Func<ITrainingProgress, T> train)
    {
        if (!interactive)
        {
            return train(new EpochLines(console));
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => result = train(new Bar(context)));
        return result;
    }

    private static string Describe(EpochMetrics m) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {m.Epoch,3}  loss {m.TrainLoss,8:F4}  val_nll {m.ValidationNll,8:F4}  val_mse {m.ValidationMse,9:G4}  {m.SamplesPerSecond,9:N0} samples/s");

    /// <summary>Plain lines, for logs and captured output.</summary>
    private sealed class EpochLines(CommandOutput console) : ITrainingProgress
    {
        public void Begin(long firstStep, long totalSteps) =>
            console.Line(string.Create(CultureInfo.InvariantCulture, $"training from step {firstStep} to {totalSteps}"));

        public void Advance(long step, double loss, double samplesPerSecond)
        {
        }

        public void EpochEnded(EpochMetrics metrics, bool improved) => console.Line(Describe(metrics) + (improved ? "  best" : ""));

        public void End()
        {
        }
    }

    /// <summary>A Spectre.Console bar over optimizer steps, its label the latest loss, validation NLL and speed.</summary>
    private sealed class Bar(ProgressContext context) : ITrainingProgress
    {
        private ProgressTask? _task;
        private string _validation = "val_nll -";

        public void Begin(long firstStep, long totalSteps)
        {
            _task = context.AddTask("training", maxValue: totalSteps);
            _task.Value = firstStep;
        }

        public void Advance(long step, double loss, double samplesPerSecond)
        {
            _task!.Value = step;
            _task.Description = string.Create(CultureInfo.InvariantCulture, $"loss {loss:F4}  {_validation}  {samplesPerSecond:N0} samples/s");
        }

        public void EpochEnded(EpochMetrics metrics, bool improved)
        {
            _validation = string.Create(CultureInfo.InvariantCulture, $"val_nll {metrics.ValidationNll:F4}");
            AnsiConsole.MarkupLine(Markup.Escape(Describe(metrics)) + (improved ? " [green]best[/]" : ""));
        }

        public void End() => _task!.Value = _task.MaxValue;
    }
}
