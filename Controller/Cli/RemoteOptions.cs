using System.CommandLine;
using System.Globalization;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Loop;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Cli;

/// <summary>The options of <c>controller run</c> that concern the gRPC server, remote operators and help requests.</summary>
internal sealed class RemoteOptions
{
    private readonly Option<string?> _grpc = new("--grpc") { Description = "Serve gRPC at this URL, e.g. http://127.0.0.1:50051 (https:// with --tls-cert and --tls-key)." };
    private readonly Option<string?> _token = new("--token") { Description = "The token remote control calls must carry." };
    private readonly Option<string?> _tokenFile = new("--token-file") { Description = "Read the token from this file (keeps it out of the process list)." };
    private readonly Option<string?> _tlsCert = new("--tls-cert") { Description = "PEM certificate for an https:// --grpc URL." };
    private readonly Option<string?> _tlsKey = new("--tls-key") { Description = "PEM private key for --tls-cert." };
    private readonly Option<bool> _openTelemetry = new("--telemetry-without-token") { Description = "Let anyone who can reach the server watch telemetry (control still needs the token)." };
    private readonly Option<bool> _allowRemote = new("--allow-remote") { Description = "Allow --grpc on an address other than loopback." };
    private readonly Option<bool> _rejectOutOfRange = new("--reject-out-of-range") { Description = "Reject operator commands outside the action limits (INVALID_ARGUMENT) instead of clamping them." };
    private readonly Option<string> _staleAfter = new("--stale-after") { Description = "Operator commands older than this are stale.", DefaultValueFactory = _ => "200ms" };
    private readonly Option<string> _fallback = new("--fallback") { Description = "When operator commands go stale: safe (the safe action) or policy.", DefaultValueFactory = _ => "safe" };
    private readonly Option<double> _helpZ = new("--help-z") { Description = "Ask for help when an observation is this many training stds from the training mean.", DefaultValueFactory = _ => new HelpOptions().ObservationZThreshold };
    private readonly Option<double?> _helpThreshold = new("--help-threshold") { Description = "Ask for help above this policy uncertainty (default: the policy file's threshold)." };
    private readonly Option<int> _helpTicks = new("--help-ticks") { Description = "...for this many consecutive ticks.", DefaultValueFactory = _ => new HelpOptions().ConsecutiveTicks };
    private readonly Option<bool> _helpPause = new("--help-pause") { Description = "While asking for help, send the safe action until an operator takes over." };
    private readonly Option<bool> _noHelp = new("--no-help") { Description = "Never ask for help." };

    public static RemoteOptions Create()
    {
        var options = new RemoteOptions();
        PlainOptions.OneOf(options._fallback, "safe", "policy");
        return options;
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _grpc, _token, _tokenFile, _tlsCert, _tlsKey, _openTelemetry, _allowRemote, _rejectOutOfRange, _staleAfter, _fallback, _helpZ, _helpThreshold, _helpTicks, _helpPause, _noHelp })
        {
            command.Add(option);
        }
    }

    /// <summary>The server's options, or null without --grpc.</summary>
    public ServerOptions? Read(ParseResult parse)
    {
        if (parse.GetValue(_grpc) is not string url)
        {
            return null;
        }
        string? token = parse.GetValue(_token);
        if (parse.GetValue(_tokenFile) is string file)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"--token-file: {file}: no such file", file);
            }
            token = File.ReadAllText(file).Trim();
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
            RejectOutOfRange = parse.GetValue(_rejectOutOfRange),
        };
        server.Validate();
        return server;
    }

    /// <summary>The loop options these flags set: staleness, fallback, help requests.</summary>
    public LoopOptions Apply(ParseResult parse, LoopOptions options)
    {
        // A NaN threshold compares false with everything, and zero ticks means "never": either would silently
        // switch help requests off.
        if (parse.GetValue(_helpZ) is var z && (!double.IsFinite(z) || z <= 0))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--help-z: must be a positive number of training standard deviations, got {z}"));
        }
        if (parse.GetValue(_helpThreshold) is { } threshold && (!double.IsFinite(threshold) || threshold <= 0))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--help-threshold: must be a positive uncertainty, got {threshold}"));
        }
        if (parse.GetValue(_helpTicks) is var ticks && ticks < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--help-ticks: must be 1 or more consecutive ticks, got {ticks}"));
        }
        return WithRemote(parse, options);
    }

    private LoopOptions WithRemote(ParseResult parse, LoopOptions options) => options with
    {
        OverrideStaleAfter = DurationParser.Parse(parse.GetValue(_staleAfter)!, "--stale-after"),
        Fallback = parse.GetValue(_fallback) == "policy" ? OverrideFallback.Policy : OverrideFallback.SafeAction,
        Help = parse.GetValue(_noHelp) ? null : new HelpOptions
        {
            ObservationZThreshold = parse.GetValue(_helpZ),
            UncertaintyThreshold = parse.GetValue(_helpThreshold),
            ConsecutiveTicks = parse.GetValue(_helpTicks),
            Pause = parse.GetValue(_helpPause),
        },
    };
}
