using System.Globalization;
using Robotics.Trainer.Reports;

namespace Robotics.Trainer.Training;

/// <summary>
/// Draws training loss and validation NLL per epoch as a small, self-contained SVG chart, with a line at the
/// epoch the run kept (the one exported); the x axis says which score it was kept by, which may not be drawn.
/// </summary>
public static class CurvePlot
{
    /// <param name="keptEpoch">The epoch whose parameters the run keeps; 0 while none has scored.</param>
    public static string Svg(IReadOnlyList<EpochMetrics> epochs, string title, int keptEpoch, ValidationScore keptBy) =>
        LineChart.Svg(title, $"epoch (kept: the lowest {keptBy.Name})", "loss (normalized units)",
        [
            new ChartSeries("training loss", LineChart.Palette[0], [.. epochs.Select(m => ((double)m.Epoch, m.TrainLoss))]),
            new ChartSeries("validation NLL", LineChart.Palette[1], [.. epochs.Select(m => ((double)m.Epoch, m.ValidationNll))]),
        ],
        integerX: true,
        marker: keptEpoch > 0 ? new ChartMarker(keptEpoch, string.Create(CultureInfo.InvariantCulture, $"kept: epoch {keptEpoch}")) : null);
}
