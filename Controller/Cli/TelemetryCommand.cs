using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Grpc.Core;
using Robotics.Protos.Control;
using Command = System.CommandLine.Command;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Cli;

/// <summary><c>controller telemetry</c>: a live tail of a robot's ticks.</summary>
internal static class TelemetryCommand
{
    public static Command Create()
    {
        var connect = new Option<string>("--connect") { Description = "The robot's gRPC URL.", Required = true };
        var token = new Option<string?>("--token") { Description = "The robot's token (if its telemetry needs one)." };
        var ca = new Option<string?>("--tls-ca") { Description = "Trust this PEM certificate (a robot's self-signed one) for https." };
        var rate = new Option<double>("--rate") { Description = "Frames per second to ask for (0: every tick).", DefaultValueFactory = _ => 10 };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this long (0: until Ctrl+C).", DefaultValueFactory = _ => 0 };
        var json = CliCommand.JsonOption();
        var command = new Command("telemetry", "Watch a robot's ticks live: mode, source, action and policy, lateness; with --json, a summary whose messages field counts the frames received.")
        {
            connect, token, ca, rate, seconds, json,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunStoppableAsync(parse, json, async console =>
        {
            if (parse.GetValue(rate) < 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--rate: must be 0 (every tick) or a positive number of frames per second, got {parse.GetValue(rate)}"));
            }
            // CancelAfter takes up to 49 days.
            TimeSpan? watch = parse.GetValue(seconds) == 0 ? null : DurationParser.Seconds(parse.GetValue(seconds), "--seconds (0: until Ctrl+C)", atMost: 30 * 86400);
            string url = parse.GetValue(connect)!;
            using var channel = RemoteChannel.Open(url, parse.GetValue(token), parse.GetValue(ca));
            var client = new Telemetry.TelemetryClient(channel);
            var status = await RobotUnreachable.Call(url, () => client.GetStatusAsync(new StatusRequest(), cancellationToken: cancellation).ResponseAsync);
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"{status.Robot}: {status.Mode}, {status.AchievedRateHz:F1} Hz, tick {status.Ticks}, episode {status.Episode}{(status.OverrideOwner.Length > 0 ? $", driven by {status.OverrideOwner}" : "")}"));
            console.Line($"actions: {string.Join(", ", status.ActionNames)}");
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            if (watch is { } w)
            {
                window.CancelAfter(w);
            }
            long messages = 0;
            ulong dropped = 0;
            ulong firstTick = 0;
            ulong lastTick = 0;
            long lastPrinted = 0;
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var stream = client.Stream(new TelemetryRequest { MaxRateHz = parse.GetValue(rate) }, cancellationToken: window.Token);
            try
            {
                await foreach (var frame in stream.ResponseStream.ReadAllAsync(window.Token))
                {
                    if (messages++ == 0)
                    {
                        firstTick = frame.Tick;
                    }
                    (lastTick, dropped) = (frame.Tick, frame.Dropped);
                    // Print at most ten lines a second, whatever the rate asked for.
                    if (started.ElapsedMilliseconds - lastPrinted >= 100)
                    {
                        lastPrinted = started.ElapsedMilliseconds;
                        console.Line(Describe(frame));
                    }
                }
            }
            catch (RpcException) when (window.IsCancellationRequested)
            {
                // --seconds elapsed or Ctrl+C: the normal end of a tail. Cancelling aborts the HTTP/2 stream, and
                // a read already under way may report that as UNAVAILABLE ("the request was aborted") rather than
                // CANCELLED: either way it is the end we asked for.
            }
            catch (OperationCanceledException) when (window.IsCancellationRequested)
            {
            }
            double elapsed = started.Elapsed.TotalSeconds;
            console.Line(string.Create(CultureInfo.InvariantCulture, $"{messages} frames in {elapsed:F1} s ({messages / Math.Max(elapsed, 1e-9):F1}/s), {dropped} ticks lost to slow reading"));
            console.Summary(new JsonObject
            {
                ["robot"] = status.Robot,
                ["messages"] = messages,
                ["dropped"] = dropped,
                ["first_tick"] = firstTick,
                ["last_tick"] = lastTick,
                ["seconds"] = elapsed,
            });
            return 0;
        }));
        return command;
    }

    private static string Describe(TelemetryFrame f)
    {
        var c = CultureInfo.InvariantCulture;
        string Values(IEnumerable<float> values) => string.Join(" ", values.Select(v => v.ToString("F2", c)));
        string policy = f.PolicyCase switch
        {
            TelemetryFrame.PolicyOneofCase.Gaussian => $" μ [{Values(f.Gaussian.Mean)}] σ [{Values(f.Gaussian.Std)}]",
            TelemetryFrame.PolicyOneofCase.Categorical => $" p [{Values(f.Categorical.Probabilities)}]",
            TelemetryFrame.PolicyOneofCase.GaussianMixture => $" weights [{Values(f.GaussianMixture.Weights)}] mode {f.GaussianMixture.Mode}",
            _ => "",
        };
        return string.Create(c, $"tick {f.Tick,8} ep {f.Episode,4}:{f.EpisodeTick,-5} {f.Mode,-10} {f.Source,-22} a [{Values(f.Action)}]{policy} late {f.LatenessNs / 1000.0:F0} µs{(f.Fault != Fault.None ? " " + f.Fault : "")}");
    }
}
