using System.CommandLine;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Cli;

/// <summary>The options that say how the gateway's gRPC server listens and whom it lets in: <c>controller run</c> passes them to the gateway it starts; <c>controller gateway</c> takes them itself.</summary>
internal sealed class ServerFlags
{
    private readonly Option<string?> _grpc = new("--grpc") { Description = "Serve gRPC at this URL, e.g. http://127.0.0.1:50051 (https:// with --tls-cert and --tls-key)." };
    private readonly Option<string?> _token = new("--token") { Description = "The token remote control calls must carry." };
    private readonly Option<string?> _tokenFile = new("--token-file") { Description = "Read the token from this file (keeps it out of the process list); - reads it from standard input." };
    private readonly Option<string?> _tlsCert = new("--tls-cert") { Description = "PEM certificate for an https:// --grpc URL." };
    private readonly Option<string?> _tlsKey = new("--tls-key") { Description = "PEM private key for --tls-cert." };
    private readonly Option<bool> _openTelemetry = new("--telemetry-without-token") { Description = "Let anyone who can reach the server watch telemetry (control still needs the token)." };
    private readonly Option<bool> _allowRemote = new("--allow-remote") { Description = "Allow --grpc, --metrics, --foxglove and --console on an address other than loopback." };
    private readonly Option<string?> _metrics = new("--metrics") { Description = "Serve the robot's Prometheus metrics at this URL, e.g. http://127.0.0.1:9464 (scraped at /metrics; with --grpc)." };
    private readonly Option<string?> _foxglove = new("--foxglove") { Description = "Serve the live robot to Foxglove at this WebSocket URL, e.g. ws://127.0.0.1:8765 (with --grpc)." };

    private readonly Option<string?> _console = new("--console") { Description = "Serve the operator's browser console at this URL, e.g. http://127.0.0.1:8080 (with --grpc; https:// when gRPC is)." };

    public Option<string?> Grpc => _grpc;

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _grpc, _token, _tokenFile, _tlsCert, _tlsKey, _openTelemetry, _allowRemote, _metrics, _foxglove, _console })
        {
            command.Add(option);
        }
    }

    /// <summary>The server's options, checked; null without --grpc.</summary>
    public ServerOptions? Read(ParseResult parse)
    {
        if (parse.GetValue(_grpc) is not string url)
        {
            return parse.GetValue(_metrics) is not null ? throw new ArgumentException("--metrics: the metrics are served by the gateway, with --grpc (e.g. --grpc http://127.0.0.1:50051)")
                : parse.GetValue(_foxglove) is not null ? throw new ArgumentException("--foxglove: Foxglove is served by the gateway, with --grpc (e.g. --grpc http://127.0.0.1:50051)")
                : parse.GetValue(_console) is not null ? throw new ArgumentException("--console: the console is served by the gateway, with --grpc (e.g. --grpc http://127.0.0.1:50051)")
                : null;
        }
        Uri? metrics = OptionalUrl(parse, _metrics, "http://127.0.0.1:9464");
        Uri? foxglove = OptionalUrl(parse, _foxglove, "ws://127.0.0.1:8765");
        Uri? console = OptionalUrl(parse, _console, "http://127.0.0.1:8080");
        string? token = parse.GetValue(_token);
        if (parse.GetValue(_tokenFile) is string file)
        {
            token = file == "-" ? Console.In.ReadLine()?.Trim() : File.Exists(file) ? File.ReadAllText(file).Trim()
                : throw new FileNotFoundException($"--token-file: {file}: no such file", file);
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address))
        {
            throw new ArgumentException($"--grpc: '{url}' is not a URL such as http://127.0.0.1:50051");
        }
        var server = new ServerOptions
        {
            Url = address,
            Token = token ?? throw new ArgumentException("--grpc needs a token: --token or --token-file"),
            TelemetryWithoutToken = parse.GetValue(_openTelemetry),
            AllowRemote = parse.GetValue(_allowRemote),
            TlsCertificate = parse.GetValue(_tlsCert),
            TlsKey = parse.GetValue(_tlsKey),
            MetricsUrl = metrics,
            FoxgloveUrl = foxglove,
            ConsoleUrl = console,
        };
        server.Validate();
        return server;
    }

    private static Uri? OptionalUrl(ParseResult parse, Option<string?> option, string example) =>
        parse.GetValue(option) is not string text ? null
            : Uri.TryCreate(text, UriKind.Absolute, out var url) ? url
            : throw new ArgumentException($"{option.Name}: '{text}' is not a URL such as {example}");
}
