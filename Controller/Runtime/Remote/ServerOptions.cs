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

    /// <summary>Where the live Foxglove WebSocket server listens (ws://host:port), beside gRPC; null for nowhere.</summary>
    public Uri? FoxgloveUrl { get; init; }

    /// <summary>Where the operator's browser console is served (http://host:port, https:// when gRPC is), beside gRPC; null for nowhere.</summary>
    public Uri? ConsoleUrl { get; init; }

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
        FoxgloveEndpoint();
        ConsoleEndpoint();
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

    /// <summary>
    /// The Foxglove server's address, checked; null when it is not served. Foxglove cannot send the robot's token, so
    /// the server listens on loopback (reached from elsewhere through an SSH tunnel), or off it only where the robot's
    /// telemetry is open to anyone who can reach it.
    /// </summary>
    public IPEndPoint? FoxgloveEndpoint()
    {
        if (FoxgloveUrl is null)
        {
            return null;
        }
        if (FoxgloveUrl.Scheme is not ("ws" or "http") || FoxgloveUrl.AbsolutePath != "/")
        {
            throw new ArgumentException($"--foxglove: '{FoxgloveUrl}' must be a ws:// URL with a port, e.g. ws://127.0.0.1:8765");
        }
        var endpoint = Endpoint(FoxgloveUrl, "--foxglove");
        if (!IPAddress.IsLoopback(endpoint.Address) && !TelemetryWithoutToken)
        {
            throw new ArgumentException($"--foxglove: Foxglove cannot send the robot's token, so it serves {endpoint.Address} only with --telemetry-without-token; or keep it on loopback and reach it through an SSH tunnel (ssh -L 8765:127.0.0.1:8765 ROBOT)");
        }
        return endpoint;
    }

    /// <summary>
    /// The console's address, checked; null when it is not served. The page sends the robot's token, so it is served
    /// over TLS exactly when gRPC is (with the same certificate), and off loopback only with --allow-remote, like gRPC.
    /// </summary>
    public IPEndPoint? ConsoleEndpoint()
    {
        if (ConsoleUrl is null)
        {
            return null;
        }
        string scheme = Url.Scheme;
        if (ConsoleUrl.Scheme != scheme || ConsoleUrl.AbsolutePath != "/")
        {
            throw new ArgumentException($"--console: '{ConsoleUrl}' must be an {scheme}:// URL with a port, e.g. {scheme}://127.0.0.1:8080 ({(scheme == "https" ? "TLS, as gRPC is served" : "https:// when gRPC is")})");
        }
        return Endpoint(ConsoleUrl, "--console");
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
        if (FoxgloveUrl is not null)
        {
            arguments.AddRange(["--foxglove", FoxgloveUrl.ToString()]);
        }
        if (ConsoleUrl is not null)
        {
            arguments.AddRange(["--console", ConsoleUrl.ToString()]);
        }
        return arguments;
    }
}
