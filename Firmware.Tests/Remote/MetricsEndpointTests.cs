using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Remote;

/// <summary>
/// `--metrics`: a running controller's gateway serves the robot's metrics in Prometheus's text format, which Prometheus's
/// own promtool accepts and a real Prometheus scrapes on loopback. The figures come from the loop's tick ring, events and
/// status: ticks, lateness and inference histograms, episodes, memory, build and model.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed partial class MetricsEndpointTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _directory.Dispose();
    }

    private ControllerProcess StartRun(int metricsPort) => ControllerProcess.Start(["run", "--robot", "sim:reach", "--policy", policies.Reach,
        "--until-stopped", "--no-realtime", "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--metrics", $"http://127.0.0.1:{metricsPort}"]);

    [Fact]
    public async Task The_metrics_pass_promtool_and_carry_the_loops_figures_labelled_with_the_robot()
    {
        Assert.True(File.Exists("/usr/bin/promtool"), "promtool is missing: apt-get install prometheus");
        int port = FreePorts.Next();
        using var run = StartRun(port);
        await run.WaitForLineAsync(line => line == $"metrics at http://127.0.0.1:{port}/metrics", Waits.Patience);

        // Once an episode has ended, every kind of figure has something in it.
        string text = await WaitForMetricsAsync(port, body => Value(body, "robot_episodes_total", "outcome") > 0);

        using var check = Process.Start(new ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        await check.StandardInput.WriteAsync(text);
        check.StandardInput.Close();
        string said = await check.StandardOutput.ReadToEndAsync() + await check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();
        Assert.True(check.ExitCode == 0, $"promtool check metrics: {said}");

        Assert.All(Samples(text), sample => Assert.Contains("robot=\"sim:reach\"", sample, StringComparison.Ordinal));
        Assert.True(Value(text, "robot_loop_ticks_total") > 0);
        Assert.True(Value(text, "robot_loop_lateness_seconds_count") > 0);
        Assert.True(Value(text, "robot_loop_inference_seconds_count") > 0, "the policy ran, so inference was observed");
        Assert.True(Value(text, "robot_process_resident_bytes", "process=\"loop\"") > 1e6);
        Assert.True(Value(text, "robot_process_resident_bytes", "process=\"gateway\"") > 1e6);
        Assert.Equal(1, Value(text, "robot_mode", "mode=\"autonomous\""));
        Assert.Equal(1, Value(text, "robot_model_info", $"path=\"{policies.Reach}\""));
        Assert.Matches(@"robot_build_info\{version=""[^""]+"",robot=""sim:reach""\} 1", text);
        await TheDashboardAsksOnlyForWhatIsServedAsync(text);

        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    [Fact]
    public async Task A_real_Prometheus_scrapes_the_robot()
    {
        Assert.True(File.Exists("/usr/bin/prometheus"), "prometheus is missing: apt-get install prometheus");
        int metricsPort = FreePorts.Next();
        int prometheusPort = FreePorts.Next();
        using var run = StartRun(metricsPort);
        await run.WaitForLineAsync(line => line.StartsWith("metrics at ", StringComparison.Ordinal), Waits.Patience);
        string config = _directory.File("prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: robot
                static_configs:
                  - targets: ["127.0.0.1:{metricsPort}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={_directory.File("tsdb")}", $"--web.listen-address=127.0.0.1:{prometheusPort}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            // Prometheus's own view: the target is up and its series are stored under the robot's label.
            double ticks = await WaitForQueryAsync(prometheusPort, "robot_loop_ticks_total{job=\"robot\",robot=\"sim:reach\"}", value => value > 0);
            Assert.True(ticks > 0);
            Assert.Equal(1, await WaitForQueryAsync(prometheusPort, "up{job=\"robot\"}", value => value == 1));
        }
        finally
        {
            prometheus.Kill();
            await prometheus.WaitForExitAsync();
        }
        run.Signal("TERM");
        Assert.Equal(143, await run.WaitForExitAsync(Waits.Patience));
    }

    /// <summary>
    /// The Grafana dashboard the package ships: every query is PromQL that Prometheus's promtool parses (as recording
    /// rules), over metrics the controller serves.
    /// </summary>
    private async Task TheDashboardAsksOnlyForWhatIsServedAsync(string served)
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "Controller", "Packaging", "grafana", "robot-controller.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!.Replace("$robot", ".*", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(queries);
        foreach (string metric in queries.SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).Distinct())
        {
            Assert.True(served.Contains("\n" + metric, StringComparison.Ordinal) || served.Contains("# TYPE " + metric + " ", StringComparison.Ordinal),
                $"the dashboard asks for {metric}, which the controller does not serve");
        }
        string rules = _directory.File("dashboard-rules.yml");
        File.WriteAllLines(rules, ["groups:", "  - name: dashboard", "    rules:",
            .. queries.Select((q, i) => $"      - record: dashboard:query{i}\n        expr: '{q.Replace("'", "''", StringComparison.Ordinal)}'")]);
        using var check = Process.Start(new ProcessStartInfo("promtool", ["check", "rules", rules]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string said = await check.StandardOutput.ReadToEndAsync() + await check.StandardError.ReadToEndAsync();
        await check.WaitForExitAsync();
        Assert.True(check.ExitCode == 0, $"promtool check rules on the dashboard's queries: {said}");
    }

    private async Task<string> WaitForMetricsAsync(int port, Func<string, bool> ready)
    {
        var deadline = DateTime.UtcNow + Waits.Patience;
        string body = "";
        while (DateTime.UtcNow < deadline)
        {
            body = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
            if (ready(body))
            {
                return body;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"the metrics never got there:\n{body}");
        return body;
    }

    private async Task<double> WaitForQueryAsync(int port, string query, Func<double, bool> ready)
    {
        var deadline = DateTime.UtcNow + Waits.Patience;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/api/v1/query?query={Uri.EscapeDataString(query)}"));
                var result = JsonDocument.Parse(last).RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    double value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                    if (ready(value))
                    {
                        return value;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Prometheus is still starting.
            }
            await Task.Delay(250);
        }
        Assert.Fail($"Prometheus never answered {query} as wanted; last: {last}");
        return double.NaN;
    }

    private static IEnumerable<string> Samples(string text) => text.Split('\n').Where(line => line.Length > 0 && line[0] != '#');

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="labels"/> (every sample when empty).</summary>
    private static double Value(string text, string name, string labels = "") => Samples(text)
        .Select(line => SampleLine().Match(line))
        .Where(m => m.Success && m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains(labels, StringComparison.Ordinal))
        .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"robot_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();
}
