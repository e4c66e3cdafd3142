using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.Benchmarks;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary><c>controller bench log</c>: how fast this machine records a teleop log, and what it costs the loop.</summary>
internal static class BenchLogCommand
{
    public static Command Create()
    {
        var observations = new Option<int>("--observations") { Description = "Floats per observation.", DefaultValueFactory = _ => 64 };
        var actions = new Option<int>("--actions") { Description = "Floats per action (the mean and log σ add as many again each).", DefaultValueFactory = _ => 8 };
        var steps = new Option<long>("--steps") { Description = "Steps to append after a 5,000-step warm-up.", DefaultValueFactory = _ => 200_000 };
        var rate = new Option<double>("--rate") { Description = "Append at this many hertz, like a control loop, counting drops; 0 appends as fast as the writer keeps up.", DefaultValueFactory = _ => 0 };
        var codec = new Option<string>("--codec") { Description = "Chunk compression: zstd, lz4, none, or all (one run each).", DefaultValueFactory = _ => "all" };
        PlainOptions.OneOf(codec, "zstd", "lz4", "none", "all");
        var output = new Option<string?>("--output") { Description = "Keep the log at this path (one codec only); by default a temporary file is used and deleted." };
        var noSync = new Option<bool>("--no-sync") { Description = "Do not fsync each chunk (measures the encoder rather than the storage device)." };
        var json = CliCommand.JsonOption();

        var command = new Command("log", "Measure appending steps to a teleop log: ns per append on the calling thread, bytes allocated per append, sustained steps/s and MB/s to disk, compression ratio per codec.")
        {
            observations, actions, steps, rate, codec, output, noSync, json,
        };
        command.SetAction(parse => CliCommand.Run(parse, json, console =>
        {
            var codecs = parse.GetValue(codec) switch
            {
                "all" => new[] { McapCompression.None, McapCompression.Lz4, McapCompression.Zstd },
                var one => [ParseCodec(one!)],
            };
            string? keep = parse.GetValue(output) is string kept ? NewFile.Check(kept, "--output") : null;
            if (parse.GetValue(observations) is < 1 or > 65536 || parse.GetValue(actions) is < 1 or > 4096)
            {
                throw new ArgumentException("--observations: must be from 1 to 65536, --actions from 1 to 4096");
            }
            if (parse.GetValue(steps) is < 1 or > 1_000_000_000 || !(parse.GetValue(rate) is >= 0 and <= 1_000_000))
            {
                throw new ArgumentException("--steps: must be from 1 to 1000000000, --rate from 0 (as fast as it goes) to 1000000");
            }
            if (keep is not null && codecs.Length != 1)
            {
                throw new ArgumentException("--output keeps one log: choose one --codec");
            }
            var runs = new JsonArray();
            var verdicts = new List<string>();
            console.Line($"{"codec",-6} {"steps",9} {"append p50",11} {"p99",8} {"p99.9",8} {"alloc/append",13} {"steps/s",10} {"MB/s",7} {"ratio",6} {"dropped",8}");
            foreach (var compression in codecs)
            {
                string path = keep ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.mcap");
                try
                {
                    var settings = new LogBenchmarkSettings
                    {
                        Observations = parse.GetValue(observations),
                        Actions = parse.GetValue(actions),
                        Steps = parse.GetValue(steps),
                        RateHz = parse.GetValue(rate),
                        OutputPath = path,
                        Writer = new TeleopLogWriterOptions { Compression = compression, SyncEachChunk = !parse.GetValue(noSync) },
                    };
                    var result = LogAppendBenchmark.Run(settings, () => console.Line($"recording {Name(compression)} to {path}"));
                    console.Line(string.Create(CultureInfo.InvariantCulture,
                        $"{Name(compression),-6} {result.Steps,9} {result.AppendNs.Median,8:F0} ns {result.AppendNs.P99,5:F0} ns {result.AppendNs.P999,5:F0} ns {result.AllocatedBytesPerAppend,9:F1} B {result.StepsPerSecond,10:F0} {result.FileMegabytesPerSecond,7:F1} {result.CompressionRatio,6:F2} {result.DroppedSteps,8}"));
                    string verdict = LogVerdict.Describe(result, Name(compression), parse.GetValue(rate));
                    verdicts.Add(verdict);
                    var run = ToJson(result);
                    run["verdict"] = verdict;
                    runs.Add((JsonNode)run);
                }
                finally
                {
                    if (keep is null)
                    {
                        File.Delete(path);
                    }
                }
            }
            // What the table means for a control loop, once it is complete.
            foreach (string verdict in verdicts)
            {
                console.Line(verdict);
            }
            console.Summary(new JsonObject { ["observations"] = parse.GetValue(observations), ["actions"] = parse.GetValue(actions), ["runs"] = runs });
            return 0;
        }));
        return command;
    }

    private static McapCompression ParseCodec(string name) => name switch
    {
        "zstd" => McapCompression.Zstd,
        "lz4" => McapCompression.Lz4,
        _ => McapCompression.None,
    };

    private static string Name(McapCompression compression) => compression == McapCompression.None ? "none" : compression.ToRecordName();

    private static JsonObject ToJson(LogBenchmarkResult result) => new()
    {
        ["codec"] = Name(result.Compression),
        ["steps"] = result.Steps,
        ["append_ns_median"] = result.AppendNs.Median,
        ["append_ns_p99"] = result.AppendNs.P99,
        ["append_ns_p999"] = result.AppendNs.P999,
        ["append_ns_max"] = result.AppendNs.Max,
        ["allocated_bytes_per_append"] = result.AllocatedBytesPerAppend,
        ["steps_per_second"] = result.StepsPerSecond,
        ["file_mb_per_second"] = result.FileMegabytesPerSecond,
        ["file_bytes"] = result.FileBytes,
        ["compression_ratio"] = result.CompressionRatio,
        ["dropped_steps"] = result.DroppedSteps,
        ["seconds"] = result.Seconds,
    };
}
