using System.Globalization;
using System.Xml.Linq;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Reports;

/// <summary>curves.svg in a real run folder: the line it draws is at the epoch the exported policy comes from.</summary>
public sealed class RunCurvesTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("nll")]
    [InlineData("mse")]
    public void The_curves_mark_the_epoch_the_policy_was_exported_from(string selectBy)
    {
        string logs = _directory.File("demo.mcap");
        SyntheticExperts.WriteLinearGaussian(logs, SyntheticExperts.LinearGaussian.Random(5, 2, seed: 8), episodes: 12, steps: 120, seed: 9);

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", logs, "--out", _directory.File("p.onnx"), "--hidden", "32,32", "--batch", "64",
            "--threads", "1", "--epochs", "8", "--patience", "0", "--select-by", selectBy, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        int kept = run.Json.GetProperty("best_epoch").GetInt32();
        var svg = XDocument.Parse(File.ReadAllText(_directory.File("p.run/curves.svg")));
        var epochX = svg.Descendants(Svg + "polyline").First().Attribute("points")!.Value.Split(' ')[kept - 1].Split(',')[0];
        var marker = svg.Descendants(Svg + "line").Single(l => (string?)l.Attribute("class") == "marker");
        Assert.Equal(epochX, marker.Attribute("x1")!.Value);
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value == string.Create(CultureInfo.InvariantCulture, $"kept: epoch {kept}"));
        Assert.Contains(svg.Descendants(Svg + "text"), t => t.Value.StartsWith("epoch (kept: the lowest validation " + selectBy.ToUpperInvariant(), StringComparison.Ordinal));
    }
}
