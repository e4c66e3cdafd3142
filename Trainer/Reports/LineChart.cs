using System.Globalization;
using System.Text;

namespace Robotics.Trainer.Reports;

/// <summary>One line of a chart: its name in the legend, its colour, its points.</summary>
/// <param name="Dashed">Drawn dashed: a reference (the expert) rather than a result.</param>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>A vertical line across the plot at <paramref name="X"/>, labelled: the epoch a run kept, say.</summary>
public sealed record ChartMarker(double X, string Label);

/// <summary>Small, self-contained SVG line charts (no script, no external file): training curves and demo reports.</summary>
public static class LineChart
{
    /// <summary>Colours that stay apart for the colour-blind (Tableau 10).</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    private const int Height = 360;
    private const int Left = 76;
    private const int PlotWidth = 548;
    private const int PlotRight = Left + PlotWidth;
    private const int Right = 16;
    private const int Top = 32;
    private const int Bottom = 48;
    private const int LegendGap = 12;
    private const int LegendRow = 16;
    private const int LegendSwatch = 24;

    /// <param name="yRange">Fixed limits for the y axis (a rate from 0 to 1, say); null to fit the data.</param>
    /// <param name="integerX">Label the x axis at whole numbers only (epochs, rounds).</param>
    /// <param name="marker">A labelled vertical line to draw across the plot, if any.</param>
    public static string Svg(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, (double Low, double High)? yRange = null,
        bool integerX = false, ChartMarker? marker = null)
    {
        // The legend has a column of its own right of the plot, so that it never hides a line.
        int legendWidth = LegendSwatch + 18 + (int)Math.Ceiling(series.Select(s => TextWidth(s.Name)).DefaultIfEmpty(0).Max());
        int width = PlotRight + LegendGap + legendWidth + Right;
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        double xLow = points.Count == 0 ? 0 : points.Min(p => p.X);
        double xHigh = points.Count == 0 ? 1 : points.Max(p => p.X);
        var (low, high) = yRange ?? (points.Count == 0 ? (0, 1) : (points.Min(p => p.Y), points.Max(p => p.Y)));
        (xLow, xHigh) = Widen(xLow, xHigh);
        (low, high) = Widen(low, high);
        double yStep = NiceStep(high - low);
        if (yRange is null)
        {
            (low, high) = (Math.Floor(low / yStep) * yStep, Math.Ceiling(high / yStep) * yStep);
        }
        double X(double x) => Left + (x - xLow) / (xHigh - xLow) * PlotWidth;
        double Y(double y) => Top + (high - Math.Clamp(y, low, high)) / (high - low) * (Height - Top - Bottom);

        var svg = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(c, $"<rect width=\"{width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(c, $"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n");
        foreach (double value in Ticks(low, high, yStep))
        {
            svg.Append(c, $"<line x1=\"{Left}\" y1=\"{Y(value):F1}\" x2=\"{PlotRight}\" y2=\"{Y(value):F1}\" stroke=\"#ddd\"/>\n");
            svg.Append(c, $"<text x=\"{Left - 6}\" y=\"{Y(value) + 4:F1}\" text-anchor=\"end\">{value:G4}</text>\n");
        }
        foreach (double x in Ticks(xLow, xHigh, integerX ? Math.Max(1, NiceStep(xHigh - xLow)) : NiceStep(xHigh - xLow)))
        {
            svg.Append(c, $"<text x=\"{X(x):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{x:G4}</text>\n");
        }
        svg.Append(c, $"<text x=\"{(Left + PlotRight) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append(c, $"<text transform=\"translate(14 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>\n");
        svg.Append(c, $"<rect class=\"plot\" x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int s = 0; s < series.Count; s++)
        {
            var line = series[s];
            string dash = line.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            var coordinates = line.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => string.Create(c, $"{X(p.X):F1},{Y(p.Y):F1}"));
            svg.Append(c, $"<polyline fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"2\"{dash} points=\"{string.Join(' ', coordinates)}\"/>\n");
            // Markers where points are few enough to tell apart (rounds of a demo, not epochs of a run).
            if (line.Points.Count <= 20)
            {
                foreach (var p in line.Points.Where(p => double.IsFinite(p.Y)))
                {
                    svg.Append(c, $"<circle cx=\"{X(p.X):F1}\" cy=\"{Y(p.Y):F1}\" r=\"3\" fill=\"{line.Color}\"/>\n");
                }
            }
        }
        if (marker is not null)
        {
            double x = X(marker.X);
            // The label on the side of the line with more room; a white halo keeps it legible over a curve.
            bool leftOfLine = x > Left + PlotWidth / 2;
            svg.Append(c, $"<line class=\"marker\" x1=\"{x:F1}\" y1=\"{Top}\" x2=\"{x:F1}\" y2=\"{Height - Bottom}\" stroke=\"#555\" stroke-dasharray=\"3 3\"/>\n");
            svg.Append(c, $"<text class=\"marker\" x=\"{(leftOfLine ? x - 4 : x + 4):F1}\" y=\"{Top + 14}\" text-anchor=\"{(leftOfLine ? "end" : "start")}\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{Escape(marker.Label)}</text>\n");
        }
        int legendLeft = PlotRight + LegendGap;
        svg.Append(c, $"<rect class=\"legend\" x=\"{legendLeft}\" y=\"{Top}\" width=\"{legendWidth}\" height=\"{LegendRow * series.Count + 6}\" fill=\"white\" stroke=\"#ddd\"/>\n");
        for (int s = 0; s < series.Count; s++)
        {
            var line = series[s];
            string dash = line.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            int legendY = Top + 12 + LegendRow * s;
            svg.Append(c, $"<line x1=\"{legendLeft + 6}\" y1=\"{legendY - 4}\" x2=\"{legendLeft + 6 + LegendSwatch}\" y2=\"{legendY - 4}\" stroke=\"{line.Color}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append(c, $"<text x=\"{legendLeft + LegendSwatch + 12}\" y=\"{legendY}\">{Escape(line.Name)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>About how wide a line of 12-pixel sans-serif text is drawn: enough to size the legend's column.</summary>
    private static double TextWidth(string text) => text.Length * 7.0;

    private static (double Low, double High) Widen(double low, double high) => high - low < 1e-9 ? (low - 0.5, high + 0.5) : (low, high);

    /// <summary>A round step (1, 2, 2.5 or 5 times a power of ten) that cuts <paramref name="range"/> into about five parts.</summary>
    private static double NiceStep(double range)
    {
        double target = range / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(target)));
        double fraction = target / magnitude;
        return magnitude * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10);
    }

    /// <summary>The multiples of <paramref name="step"/> from <paramref name="low"/> to <paramref name="high"/>.</summary>
    private static IEnumerable<double> Ticks(double low, double high, double step)
    {
        for (double tick = Math.Ceiling(low / step - 1e-9) * step; tick <= high + step * 1e-9; tick += step)
        {
            // Rounded to the step's precision so that 0.1 + 0.2 prints as 0.3; + 0.0 turns −0 into 0.
            yield return (Math.Round(tick / step) * step) + 0.0;
        }
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
