using System.CommandLine;
using Robotics.Controller.Benchmarks;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary><c>controller bench stalled-client</c>: the telemetry client <c>bench grpc</c> runs that never reads, in a process of its own.</summary>
internal static class BenchStalledClientCommand
{
    public static Command Create()
    {
        var connect = new Option<string>("--connect") { Description = "The robot's gRPC URL.", Required = true };
        var token = new Option<string>("--token") { Description = "The robot's token.", Required = true };
        var seconds = new Option<double>("--seconds") { Description = "How long to hold the stream without reading.", DefaultValueFactory = _ => 10 };
        var json = CliCommand.JsonOption();
        var command = new Command("stalled-client", "Open a telemetry stream and never read it for --seconds (the client `bench grpc` puts against the gateway), then say what the server did: ticks it skipped, or the connection it closed.")
        {
            connect, token, seconds, json,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunAsync(parse, json, async console =>
        {
            var address = Uri.TryCreate(parse.GetValue(connect), UriKind.Absolute, out var url) ? url : throw new ArgumentException("--connect: not a URL");
            var outcome = await StalledSubscriber.RunAsync(address, parse.GetValue(token)!, DurationParser.Seconds(parse.GetValue(seconds), "--seconds", atMost: 86_400), cancellation);
            console.Line($"stalled subscriber: {outcome.ToJsonString()}");
            console.Summary(outcome);
            return 0;
        }));
        return command;
    }
}
