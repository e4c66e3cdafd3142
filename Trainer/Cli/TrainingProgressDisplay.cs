using System.Globalization;
using Robotics.Trainer.Reports;
using Robotics.Trainer.Training;
using Spectre.Console;
using Robotics.Controller.CommandLine;

namespace Robotics.Trainer.Cli;

/// <summary>Shows a run's progress: a live bar in a terminal, one line per epoch when output is captured.</summary>
internal static class TrainingProgressDisplay
{
    /// <summary>
    /// Whether a live bar can be drawn: not with --json, and not when stdout is captured (a file, a pipe, a
    /// test), where the bar's redraws would be noise.
    /// </summary>
    public static bool IsLive(CommandOutput console) => !console.Json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>A training on its own (<c>trainer train</c>): a bar and a line per epoch, or only the lines.</summary>
    public static T Run<T>(CommandOutput console, bool interactive, Func<ITrainingProgress, T> train)
    {
        if (!interactive)
        {
            return train(new EpochLines(console));
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(Columns(barWidth: 40))
            .Start(context => result = train(new Bar(AnsiConsole.Console, context, "val_nll", m => m.ValidationNll, asStage: false)));
        return result;
    }

    /// <summary>
    /// A training inside a longer job (each stage of the demo): while it runs, a bar on
    /// <paramref name="terminal"/> with the epoch and the best <paramref name="score"/> so far, cleared when it
    /// ends, since the job prints its own line per training; nothing when there is no terminal to draw on.
    /// </summary>
    public static T RunAsStage<T>(IAnsiConsole? terminal, ValidationScore score, Func<ITrainingProgress, T> train)
    {
        if (terminal is null)
        {
            return train(ITrainingProgress.None);
        }
        T result = default!;
        terminal.Progress()
            .AutoClear(true)
            .Columns(Columns(barWidth: 15))
            .Start(context => result = train(new Bar(terminal, context, score.ShortName, score.Of, asStage: true)));
        return result;
    }

    private static ProgressColumn[] Columns(int barWidth) =>
        [new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = barWidth }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn()];

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

    /// <summary>
    /// A Spectre.Console bar over optimizer steps on <paramref name="terminal"/>, labelled with the epoch and a
    /// validation score (<paramref name="scoreName"/>). On its own it adds the latest loss and the speed, and
    /// prints a line above it for each epoch; <paramref name="asStage"/> keeps to a label short enough for an
    /// 80-column terminal: the epoch and the best score so far.
    /// </summary>
    private sealed class Bar(IAnsiConsole terminal, ProgressContext context, string scoreName, Func<EpochMetrics, double> score, bool asStage) : ITrainingProgress
    {
        private ProgressTask? _task;
        private int _epoch = 1;
        private string _validation = asStage ? "" : $"{scoreName} -";

        public void Begin(long firstStep, long totalSteps)
        {
            _task = context.AddTask("training", maxValue: totalSteps);
            _task.Value = firstStep;
        }

        public void Advance(long step, double loss, double samplesPerSecond)
        {
            _task!.Value = step;
            _task.Description = Markup.Escape(asStage
                ? StageLabel
                : string.Create(CultureInfo.InvariantCulture, $"epoch {_epoch}  loss {loss:F4}  {_validation}  {samplesPerSecond:N0} samples/s"));
        }

        public void EpochEnded(EpochMetrics metrics, bool improved)
        {
            _epoch = metrics.Epoch + 1;
            if (!asStage)
            {
                _validation = string.Create(CultureInfo.InvariantCulture, $"{scoreName} {score(metrics):F4}");
                terminal.MarkupLine(Markup.Escape(Describe(metrics)) + (improved ? " [green]best[/]" : ""));
                return;
            }
            if (improved)
            {
                _validation = string.Create(CultureInfo.InvariantCulture, $"; best {scoreName} {score(metrics):G3} (epoch {metrics.Epoch})");
            }
            // An epoch of fewer steps than Advance reports at would otherwise leave the bar still.
            _task!.Value = metrics.Step;
            _task.Description = Markup.Escape(StageLabel);
        }

        private string StageLabel => string.Create(CultureInfo.InvariantCulture, $"epoch {_epoch}{_validation}");

        public void End() => _task!.Value = _task.MaxValue;
    }
}
