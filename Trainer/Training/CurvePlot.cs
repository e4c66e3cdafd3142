using System.Globalization;
using System.Text;

namespace Robotics.Trainer.Training;

/// <summary>Draws training loss and validation NLL per epoch as a small, self-contained SVG chart.</summary>
public static class CurvePlot
{
    private const int Width = 640;
    private const int Height = 360;
    private const int Left = 76;
    private const int Right = 16;
    private const int Top = 32;
    private const int Bottom = 48;

    public static string Svg(IReadOnlyList<EpochMetrics> epochs, string title)
    {
        var series = new (string Name, string Color, Func<EpochMetrics, double> Value)[]
        {
            ("training loss", "#1f77b4", m => m.TrainLoss),
            ("validation NLL", "#d62728", m => m.ValidationNll),
        };
        var values = epochs.SelectMany(m => series.Select(s => s.Value(m))).Where(double.IsFinite).ToList();
        double low = values.Count == 0 ? 0 : values.Min();
        double high = values.Count == 0 ? 1 : values.Max();
        if (high - low < 1e-9)
        {
            (low, high) = (low - 0.5, high + 0.5);
        }
        int lastEpoch = Math.Max(2, epochs.Count == 0 ? 2 : epochs[^1].Epoch);
        double X(double epoch) => Left + (epoch - 1) / (lastEpoch - 1) * (Width - Left - Right);
        double Y(double value) => Top + (high - value) / (high - low) * (Height - Top - Bottom);

        var svg = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(c, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(c, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{Escape(title)}</text>\n");
        for (int i = 0; i <= 4; i++)
        {
            double value = low + (high - low) * i / 4;
            double y = Y(value);
            svg.Append(c, $"<line x1=\"{Left}\" y1=\"{y:F1}\" x2=\"{Width - Right}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>\n");
            svg.Append(c, $"<text x=\"{Left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{value:G4}</text>\n");
        }
        foreach (int epoch in EpochTicks(lastEpoch))
        {
            svg.Append(c, $"<text x=\"{X(epoch):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{epoch}</text>\n");
        }
        svg.Append(c, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">epoch</text>\n");
        svg.Append(c, $"<text transform=\"translate(14 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">loss (normalized units)</text>\n");
        svg.Append(c, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int s = 0; s < series.Length; s++)
        {
            var points = epochs.Where(m => double.IsFinite(series[s].Value(m)))
                .Select(m => string.Create(c, $"{X(m.Epoch):F1},{Y(series[s].Value(m)):F1}"));
            svg.Append(c, $"<polyline fill=\"none\" stroke=\"{series[s].Color}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>\n");
            int legendY = Top + 16 + 16 * s;
            svg.Append(c, $"<line x1=\"{Width - Right - 150}\" y1=\"{legendY - 4}\" x2=\"{Width - Right - 126}\" y2=\"{legendY - 4}\" stroke=\"{series[s].Color}\" stroke-width=\"2\"/>\n");
            svg.Append(c, $"<text x=\"{Width - Right - 120}\" y=\"{legendY}\">{series[s].Name}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static IEnumerable<int> EpochTicks(int lastEpoch)
    {
        int step = Math.Max(1, (int)Math.Ceiling(lastEpoch / 10.0));
        for (int epoch = 1; epoch <= lastEpoch; epoch += step)
        {
            yield return epoch;
        }
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
