using System.Globalization;
using System.Xml.Linq;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Reports;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Reports;

/// <summary>The charts of a run folder and a demo report, read back as SVG: what a reader sees where.</summary>
public sealed class LineChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void The_legend_sits_beside_the_plot_and_covers_no_line()
    {
        // Lines through every corner of the plot: a legend anywhere inside it would cover one.
        var series = new List<ChartSeries>
        {
            new("rising", LineChart.Palette[0], [(0, 0), (50, 5), (100, 10)]),
            new("falling, with a longer name than the other", LineChart.Palette[1], [(0, 10), (50, 5), (100, 0)]),
        };

        var svg = XDocument.Parse(LineChart.Svg("t", "x", "y", series));

        var legend = Box(svg.Descendants(Svg + "rect").Single(r => (string?)r.Attribute("class") == "legend"));
        var lines = Bounds(svg.Descendants(Svg + "polyline"));
        Assert.False(legend.Intersects(lines), $"legend {legend} over the lines {lines}");
        Assert.True(legend.Right <= Number(svg.Root!.Attribute("width")!), "the legend fits in the chart");
    }

    [Fact]
    public void Curves_mark_the_kept_epoch_with_a_line_at_its_x_and_say_what_kept_it()
    {
        var epochs = Enumerable.Range(1, 10).Select(e => new EpochMetrics(e, e * 10, 1.0 / e, 2 - e * 0.1, 0.5, double.NaN, 3e-4, 1000, 0.1)).ToList();

        var svg = XDocument.Parse(CurvePlot.Svg(epochs, "Gaussian BC on sim:reach", keptEpoch: 4, ValidationScore.For(SelectionMetric.Mse, PolicyHeads.Named("gaussian")!)));

        var fourth = svg.Descendants(Svg + "polyline").First().Attribute("points")!.Value.Split(' ')[3].Split(',');
        var marker = svg.Descendants(Svg + "line").Single(l => (string?)l.Attribute("class") == "marker");
        Assert.Equal(double.Parse(fourth[0], CultureInfo.InvariantCulture), Number(marker.Attribute("x1")!));
        Assert.Equal(Number(marker.Attribute("x1")!), Number(marker.Attribute("x2")!));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("kept: epoch 4", texts);
        Assert.Contains("epoch (kept: the lowest validation MSE of the mean action)", texts);
    }

    [Fact]
    public void A_run_that_kept_no_epoch_yet_has_no_marker()
    {
        var epochs = new List<EpochMetrics> { new(1, 10, double.NaN, double.NaN, double.NaN, double.NaN, 3e-4, 1000, 0.1) };

        string svg = CurvePlot.Svg(epochs, "t", keptEpoch: 0, ValidationScore.For(SelectionMetric.Nll, PolicyHeads.Named("gaussian")!));

        Assert.DoesNotContain("class=\"marker\"", svg);
    }

    [Theory]
    [InlineData(SelectionMetric.Mse, "gaussian", "validation MSE of the mean action", "MSE of the mean action (action units²)")]
    [InlineData(SelectionMetric.Mse, "categorical", "validation Brier score of the action probabilities", "Brier score of the action probabilities")]
    [InlineData(SelectionMetric.Nll, "categorical", "validation NLL", "NLL (normalized units)")]
    public void A_validation_score_is_named_for_what_it_measures_on_the_head(SelectionMetric metric, string head, string name, string axis)
    {
        var score = ValidationScore.For(metric, PolicyHeads.Named(head)!);

        Assert.Equal(name, score.Name);
        Assert.Equal(axis, score.Axis);
    }

    private static double Number(XAttribute attribute) => double.Parse(attribute.Value, CultureInfo.InvariantCulture);

    private static Rect Box(XElement rect) => new(Number(rect.Attribute("x")!), Number(rect.Attribute("y")!),
        Number(rect.Attribute("x")!) + Number(rect.Attribute("width")!), Number(rect.Attribute("y")!) + Number(rect.Attribute("height")!));

    private static Rect Bounds(IEnumerable<XElement> polylines)
    {
        var points = polylines.SelectMany(p => p.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        return new(points.Min(p => p[0]), points.Min(p => p[1]), points.Max(p => p[0]), points.Max(p => p[1]));
    }

    private sealed record Rect(double Left, double Top, double Right, double Bottom)
    {
        public bool Intersects(Rect other) => Left < other.Right && other.Left < Right && Top < other.Bottom && other.Top < Bottom;
    }
}
