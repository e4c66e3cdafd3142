using System.Net;

namespace Robotics.Controller.Remote;

/// <summary>How the gateway's gRPC server listens and whom it lets in (the gateway serves; the loop process passes them on to the gateway it starts).</summary>
public sealed record ServerOptions
{
    /// <summary>http://host:port or https://host:port; port 0 picks a free one.</summary>
    public required Uri Url { get; init; }

    /// <summary>The bearer token control calls (and, unless <see cref="TelemetryWithoutToken"/>, telemetry) must carry.</summary>
    public required string Token { get; init; }

    public bool TelemetryWithoutToken { get; init; }

    /// <summary>Listening on anything but loopback is a decision, not a default.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>PEM certificate and key for https URLs.</summary>
    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }

    /// <summary>Where the robot's Prometheus metrics are served (http://host:port; /metrics), beside gRPC; null for nowhere.</summary>
    public Uri? MetricsUrl { get; init; }

    /// <summary>Checks the options and resolves the address to listen on.</summary>
    public IPEndPoint Validate()
    {
        if (Url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--grpc: '{Url}' must be an http:// or https:// URL, e.g. http://127.0.0.1:50051");
        }
        if (string.IsNullOrWhiteSpace(Token) || Token.Length < 8)
        {
            throw new ArgumentException("--token: the robot needs a token of at least 8 characters to serve gRPC (--token or --token-file)");
        }
        bool https = Url.Scheme == "https";
        if (https != (TlsCertificate is not null) || (TlsCertificate is null) != (TlsKey is null))
        {
            throw new ArgumentException("--tls-cert and --tls-key go together, with an https:// URL (and an http:// URL without them)");
        }
        if (TlsCertificate is not null)
        {
            // Checked where the command was typed, before any process starts: the gateway reads them.
            PemFiles.Require(TlsCertificate, "--tls-cert");
            PemFiles.Require(TlsKey!, "--tls-key");
        }
        MetricsEndpoint();
        return Endpoint(Url, "--grpc");
    }

    /// <summary>The metrics' address, checked; null when they are not served.</summary>
    public IPEndPoint? MetricsEndpoint()
    {
        if (MetricsUrl is null)
        {
            return null;
        }
        if (MetricsUrl.Scheme != "http" || MetricsUrl.AbsolutePath is not ("/" or "/metrics"))
        {
            throw new ArgumentException($"--metrics: '{MetricsUrl}' must be an http:// URL with a port, e.g. http://127.0.0.1:9464 (served at /metrics)");
        }
        return Endpoint(MetricsUrl, "--metrics");
    }

    private IPEndPoint Endpoint(Uri url, string option)
    {
        IPAddress address = url.Host is "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(url.Host.Trim('[', ']'), out var parsed) ? parsed
            : throw new ArgumentException($"{option}: '{url.Host}' is not an IP address or localhost");
        if (!IPAddress.IsLoopback(address) && !AllowRemote)
        {
            throw new ArgumentException($"{option}: {address} is reachable from the network; the server listens on loopback unless you also pass --allow-remote");
        }
        return new IPEndPoint(address, url.Port);
    }

    /// <summary>
    /// The arguments that give a gateway process these options, serving at <paramref name="url"/>. The token is not among
    /// them (a process list shows every process's arguments to every user): it goes to the child's standard input.
    /// </summary>
    public List<string> GatewayArguments(Uri url)
    {
        var arguments = new List<string> { "--grpc", url.ToString(), "--token-file", "-" };
        if (TlsCertificate is not null)
        {
            arguments.AddRange(["--tls-cert", Path.GetFullPath(TlsCertificate), "--tls-key", Path.GetFullPath(TlsKey!)]);
        }
        if (TelemetryWithoutToken)
        {
            arguments.Add("--telemetry-without-token");
        }
        if (AllowRemote)
        {
            arguments.Add("--allow-remote");
        }
        if (MetricsUrl is not null)
        {
            arguments.AddRange(["--metrics", MetricsUrl.ToString()]);
        }
        return arguments;
    }
}
