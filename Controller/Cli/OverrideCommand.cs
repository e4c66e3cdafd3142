using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Grpc.Core;
using Robotics.Controller.Cli.OverrideInputs;
using Robotics.Controller.Timing;
using Robotics.Protos;
using Robotics.Protos.Control;
using Command = System.CommandLine.Command;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Cli;

/// <summary><c>controller override</c>: take a robot over and drive it from a keyboard, a gamepad or a script.</summary>
internal static class OverrideCommand
{
    public static Command Create()
    {
        var connect = new Option<string>("--connect") { Description = "The robot's gRPC URL.", Required = true };
        var token = new Option<string>("--token") { Description = "The robot's token.", Required = true };
        var ca = new Option<string?>("--tls-ca") { Description = "Trust this PEM certificate (a robot's self-signed one) for https." };
        var source = new Option<string>("--source") { Description = "keyboard, gamepad[:/dev/input/jsN], or script:FILE (lines of \"seconds value...\").", DefaultValueFactory = _ => "keyboard" };
        var seconds = new Option<double>("--seconds") { Description = "Release the robot after this long (0: when the source ends).", DefaultValueFactory = _ => 0 };
        var rate = new Option<double>("--rate") { Description = "Commands per second.", DefaultValueFactory = _ => 50 };
        var name = new Option<string>("--name") { Description = "Who is driving, for the robot's log.", DefaultValueFactory = _ => $"{Environment.UserName}@{Environment.MachineName}" };
        var json = CliCommand.JsonOption();
        var command = new Command("override", "Take over a robot (the override lease) and drive it; release it when the source ends, after --seconds, or on Ctrl+C.")
        {
            connect, token, ca, source, seconds, rate, name, json,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunStoppableAsync(parse, json, async console =>
        {
            // Checked before the robot is taken over: a bad argument must not cost anyone the lease.
            if (parse.GetValue(rate) is var hz && !(hz > 0 && hz <= 1000))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--rate: must be more than 0 and at most 1000 commands per second, got {hz}"));
            }
            if (parse.GetValue(seconds) != 0)
            {
                DurationParser.Seconds(parse.GetValue(seconds), "--seconds (0: when the source ends)");
            }
            CheckSource(parse.GetValue(source)!);
            string url = parse.GetValue(connect)!;
            using var channel = RemoteChannel.Open(url, parse.GetValue(token), parse.GetValue(ca));
            var client = new Override.OverrideClient(channel);
            using var session = client.Drive(cancellationToken: cancellation);
            await RobotUnreachable.Call(url, () => Opened(session, cancellation));
            await session.RequestStream.WriteAsync(new OperatorMessage { TakeOver = new TakeOver { Operator = parse.GetValue(name) } }, cancellation);
            if (!await session.ResponseStream.MoveNext(cancellation) || session.ResponseStream.Current.MessageCase != ControllerMessage.MessageOneofCase.Granted)
            {
                throw new IOException("the robot did not grant the override lease");
            }
            var granted = session.ResponseStream.Current.Granted;
            var space = new ActionSpace([.. granted.ActionNames], [.. granted.ActionMin], [.. granted.ActionMax]);
            console.Line($"driving {string.Join(", ", space.Names)}; commands older than {granted.StaleAfterMs} ms hand over to the {granted.Fallback}");
            using var commands = OpenSource(parse.GetValue(source)!, space, console.Json ? TextWriter.Null : Console.Out);

            var tally = new Tally();
            var listening = Listen(session.ResponseStream, tally, console, cancellation);
            var status = OverrideStatusLine.ForConsole(space, console.Json);
            await Drive(session.RequestStream, commands, space, parse.GetValue(rate), parse.GetValue(seconds), tally, status, cancellation);
            status?.Finish();
            await session.RequestStream.WriteAsync(new OperatorMessage { Release = new Release() }, CancellationToken.None);
            await session.RequestStream.CompleteAsync();
            string released = await listening;

            var latency = tally.Latency.Summarize().InMicroseconds();
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"sent {tally.Sent}, applied {tally.Applied}, rejected {tally.Rejected}, stale {tally.Stale} times; command to actuator p50 {latency.P50:F0} µs p99 {latency.P99:F0} µs; {released}"));
            console.Summary(new JsonObject
            {
                ["sent"] = tally.Sent,
                ["applied"] = tally.Applied,
                ["rejected"] = tally.Rejected,
                ["stale"] = tally.Stale,
                ["released"] = released,
                ["command_to_actuator_us"] = LoopSummary.Percentiles(tally.Latency.Summarize()),
            });
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Waits for the robot to open the stream: it sends its headers at once, with <see cref="RemoteChannel.OverrideOpenHeader"/>.
    /// Headers without it are a refusal (a wrong token), whose status is read before anything is written: a TakeOver
    /// written after the refusal races the end of the stream, and seen as the stream reset it says only "Cancelled".
    /// </summary>
    private static async Task Opened(AsyncDuplexStreamingCall<OperatorMessage, ControllerMessage> session, CancellationToken cancellation)
    {
        var headers = await session.ResponseHeadersAsync;
        if (headers.Get(RemoteChannel.OverrideOpenHeader) is null)
        {
            await session.ResponseStream.MoveNext(cancellation); // throws the refusal
            throw new IOException("the robot closed the override stream without a word");
        }
    }

    /// <summary>Refuses a --source that names no source, or a script that is not there.</summary>
    private static void CheckSource(string source)
    {
        if (source.StartsWith("script:", StringComparison.Ordinal) && !File.Exists(source["script:".Length..]))
        {
            throw new FileNotFoundException($"--source: {source["script:".Length..]}: no such script file");
        }
        if (source is not ("keyboard" or "gamepad") && !source.StartsWith("gamepad:", StringComparison.Ordinal) && !source.StartsWith("script:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"--source: '{source}' is not keyboard, gamepad[:DEVICE] or script:FILE");
        }
    }

    private static IOverrideInput OpenSource(string source, ActionSpace space, TextWriter help) => source switch
    {
        "keyboard" => new KeyboardOverrideInput(space, help),
        "gamepad" => new GamepadOverrideInput("/dev/input/js0", space),
        _ when source.StartsWith("gamepad:", StringComparison.Ordinal) => new GamepadOverrideInput(source["gamepad:".Length..], space),
        _ when source.StartsWith("script:", StringComparison.Ordinal) => new ScriptOverrideInput(source["script:".Length..], space.Names.Count),
        _ => throw new ArgumentException($"--source: '{source}' is not keyboard, gamepad[:DEVICE] or script:FILE"), // CheckSource said so first
    };

    /// <summary>Sends the source's command at the rate, on absolute deadlines, until it ends or time is up.</summary>
    private static async Task Drive(IClientStreamWriter<OperatorMessage> requests, IOverrideInput commands, ActionSpace space, double rateHz, double seconds,
        Tally tally, OverrideStatusLine? status, CancellationToken cancellation)
    {
        var action = new float[space.Names.Count];
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / rateHz));
        ulong sequence = 0;
        try
        {
            do
            {
                if ((seconds > 0 && started.Elapsed.TotalSeconds >= seconds) || !commands.TryNext(started.Elapsed, action))
                {
                    return;
                }
                var command = new Protos.Control.Command { Sequence = ++sequence, SentNs = (ulong)MonotonicClock.NowNs() };
                command.Action.AddRange(action);
                await requests.WriteAsync(new OperatorMessage { Command = command }, cancellation);
                tally.Sent++;
                status?.Update(started.Elapsed, commands.Pressed, action, tally.Applied, tally.Rejected, tally.LastReply);
            }
            while (await timer.WaitForNextTickAsync(cancellation));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl+C: release the robot below.
        }
    }

    /// <summary>Reads the robot's replies until it says the lease ended; returns how.</summary>
    private static async Task<string> Listen(IAsyncStreamReader<ControllerMessage> replies, Tally tally, CommandOutput console, CancellationToken cancellation)
    {
        try
        {
            while (await replies.MoveNext(CancellationToken.None))
            {
                var reply = replies.Current;
                switch (reply.MessageCase)
                {
                    case ControllerMessage.MessageOneofCase.Applied:
                        tally.Applied++;
                        tally.LastReply = "applied";
                        if (reply.Applied.SentNs > 0)
                        {
                            tally.Latency.Record((long)(reply.Applied.AppliedNs - reply.Applied.SentNs));
                        }
                        break;
                    case ControllerMessage.MessageOneofCase.Rejected:
                        tally.Rejected++;
                        tally.LastReply = $"rejected: {reply.Rejected.Reason}";
                        console.Warning($"command {reply.Rejected.Sequence} rejected: {reply.Rejected.Reason}");
                        break;
                    case ControllerMessage.MessageOneofCase.Stale:
                        tally.Stale++;
                        tally.LastReply = $"stale: the {reply.Stale.Fallback} drives";
                        console.Warning($"commands went stale (> {reply.Stale.StaleAfterMs} ms): the {reply.Stale.Fallback} drives");
                        break;
                    case ControllerMessage.MessageOneofCase.Released:
                        return $"released: {reply.Released.Reason}";
                }
            }
            return "the robot closed the session";
        }
        catch (RpcException e) when (cancellation.IsCancellationRequested || e.StatusCode == StatusCode.Cancelled)
        {
            return "cancelled";
        }
    }

    private sealed class Tally
    {
        public long Sent { get; set; }
        public long Applied { get; set; }
        public long Rejected { get; set; }
        public long Stale { get; set; }
        /// <summary>What the robot said of the latest command it answered; written by the reply reader, read by the sender.</summary>
        public string LastReply { get; set; } = "";
        public LatencyHistogram Latency { get; } = new();
    }
}
