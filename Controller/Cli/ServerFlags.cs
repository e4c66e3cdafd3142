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
    private readonly Option<bool> _allowRemote = new("--allow-remote") { Description = "Allow --grpc and --metrics on an address other than loopback." };
    private readonly Option<string?> _metrics = new("--metrics") { Description = "Serve the robot's Prometheus metrics at this URL, e.g. http://127.0.0.1:9464 (scraped at /metrics; with --grpc)." };

    public Option<string?> Grpc => _grpc;

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _grpc, _token, _tokenFile, _tlsCert, _tlsKey, _openTelemetry, _allowRemote, _metrics })
        {
            command.Add(option);
        }
    }

    /// <summary>The server's options, checked; null without --grpc.</summary>
    public ServerOptions? Read(ParseResult parse)
    {
        if (parse.GetValue(_grpc) is not string url)
        {
            return parse.GetValue(_metrics) is null ? null
                : throw new ArgumentException("--metrics: the metrics are served by the gateway, with --grpc (e.g. --grpc http://127.0.0.1:50051)");
        }
        Uri? metrics = null;
        if (parse.GetValue(_metrics) is string metricsUrl && !Uri.TryCreate(metricsUrl, UriKind.Absolute, out metrics))
        {
            throw new ArgumentException($"--metrics: '{metricsUrl}' is not a URL such as http://127.0.0.1:9464");
        }
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
        };
        server.Validate();
        return server;
    }
}
