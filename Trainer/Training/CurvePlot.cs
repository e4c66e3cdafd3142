using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Training;

/// <summary>Draws training loss and validation NLL per epoch as a small, self-contained SVG chart.</summary>
public static class CurvePlot
{
    public static string Svg(IReadOnlyList<EpochMetrics> epochs, string title) => LineChart.Svg(title, "epoch", "loss (normalized units)",
    [
        new ChartSeries("training loss", LineChart.Palette[0], [.. epochs.Select(m => ((double)m.Epoch, m.TrainLoss))]),
        new ChartSeries("validation NLL", LineChart.Palette[1], [.. epochs.Select(m => ((double)m.Epoch, m.ValidationNll))]),
    ], integerX: true);
}
