using System.CommandLine;
using System.Globalization;
using Robotics.Controller.Benchmarks;
using Robotics.Controller.CommandLine;

namespace Robotics.Controller.Cli;

/// <summary><c>controller bench grpc-clients</c>: the clients of <c>bench grpc</c>'s loaded run, coordinated from a process of their own.</summary>
internal static class BenchGrpcClientsCommand
{
    public static Command Create()
    {
        var connect = new Option<string>("--connect") { Description = "The gateway's gRPC URL.", Required = true };
        var token = new Option<string>("--token") { Description = "The robot's token.", Required = true };
        var policy = new Option<string>("--policy") { Description = "The policy the loop runs (the operator sweeps its action range).", Required = true };
        var subscribers = new Option<int>("--subscribers") { Description = "Full-rate telemetry subscribers.", DefaultValueFactory = _ => 8 };
        var operatorRate = new Option<double>("--operator-rate") { Description = "Override commands per second.", DefaultValueFactory = _ => 100 };
        var seconds = new Option<double>("--seconds") { Description = "How long the clients run.", DefaultValueFactory = _ => 40 };
        var sampleSeconds = new Option<double>("--sample-seconds") { Description = "How often to sample the two processes' memory.", DefaultValueFactory = _ => 10 };
        var loopPid = new Option<int>("--loop-pid") { Description = "The loop's process, whose memory is sampled.", Required = true };
        var gatewayPid = new Option<int>("--gateway-pid") { Description = "The gateway's process, whose memory is sampled.", Required = true };
        var clientCpus = new Option<string?>("--client-cpus") { Description = "Keep the client processes on these CPUs (a taskset list)." };
        var json = CliCommand.JsonOption();
        var command = new Command("grpc-clients", "Run the clients of `bench grpc`'s loaded run against a gateway (full-rate subscribers, a stalled one, an operator, each a process) and sample the loop's and the gateway's memory, from a process that is neither: the loop's process only waits for the summary.")
        {
            connect, token, policy, subscribers, operatorRate, seconds, sampleSeconds, loopPid, gatewayPid, clientCpus, json,
        };
        command.SetAction((parse, cancellation) => CliCommand.RunAsync(parse, json, async console =>
        {
            var address = Uri.TryCreate(parse.GetValue(connect), UriKind.Absolute, out var url) ? url : throw new ArgumentException("--connect: not a URL");
            var settings = new GrpcClientsSettings(address, parse.GetValue(token)!, parse.GetValue(policy)!, parse.GetValue(subscribers), parse.GetValue(operatorRate),
                DurationParser.Seconds(parse.GetValue(seconds), "--seconds", atMost: 86_400), parse.GetValue(clientCpus),
                DurationParser.Seconds(parse.GetValue(sampleSeconds), "--sample-seconds", atMost: 3600), parse.GetValue(loopPid), parse.GetValue(gatewayPid));
            var summary = await GrpcClients.RunAsync(settings, cancellation);
            console.Line(string.Create(CultureInfo.InvariantCulture, $"{(double)summary["messages_per_second"]!:F0} messages/s to {settings.Subscribers} subscribers"));
            console.Summary(summary);
            return 0;
        }));
        return command;
    }
}
