using System.CommandLine;
using System.Globalization;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Loop;
using Robotics.Controller.Link;
using Robotics.Controller.Remote;

namespace Robotics.Controller.Cli;

/// <summary>The options of <c>controller run</c> that concern remote operators: the gateway's server and link, the override rules, help requests.</summary>
internal sealed class RemoteOptions
{
    private readonly ServerFlags _server = new();
    private readonly Option<string?> _link = new("--link")
    {
        Description = "The shared-memory link to the gateway process (files PATH.loop and PATH.gateway). With --grpc, by default a path of this run's own under /dev/shm; without --grpc, the loop waits for a gateway started as its own service (`controller gateway --link PATH`).",
    };
    private readonly Option<string?> _linkGroup = new("--link-group") { Description = "Let this group (the gateway's user, alone in it) read the loop's side of the link and write its own; otherwise only this user can." };
    private readonly Option<bool> _rejectOutOfRange = new("--reject-out-of-range") { Description = "Reject operator commands outside the action limits (INVALID_ARGUMENT) instead of clamping them." };
    private readonly Option<string> _staleAfter = new("--stale-after") { Description = "Operator commands older than this are stale.", DefaultValueFactory = _ => "200ms" };
    private readonly Option<string> _fallback = new("--fallback") { Description = "When operator commands go stale: safe (the safe action) or policy.", DefaultValueFactory = _ => "safe" };
    private readonly Option<double?> _helpZ = new("--help-z")
    {
        Description = "Ask for help when an observation is this many training stds from the training mean (default: the policy file's threshold, " +
            $"set at its help rate, or {HelpOptions.DefaultObservationZThreshold:G} for files without one).",
    };
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
        _server.AddTo(command);
        foreach (var option in new Option[] { _link, _linkGroup, _rejectOutOfRange, _staleAfter, _fallback, _helpZ, _helpThreshold, _helpTicks, _helpPause, _noHelp })
        {
            command.Add(option);
        }
    }

    /// <summary>The gateway's server options, or null without --grpc.</summary>
    public ServerOptions? Read(ParseResult parse) => _server.Read(parse);

    /// <summary>Where the link to a gateway goes: --link, or with --grpc a path of this run's own; null for neither (no remote operators).</summary>
    public string? LinkPath(ParseResult parse, string robot) =>
        parse.GetValue(_link) ?? (parse.GetValue(_server.Grpc) is null ? null : LinkPaths.ForRun(robot));

    /// <summary>The group given access to the link (--link-group), as its id.</summary>
    public int? LinkGroup(ParseResult parse) => parse.GetValue(_linkGroup) is string group ? LinkAccess.GroupId(group) : null;

    /// <summary>The loop options these flags set: staleness, fallback, help requests.</summary>
    public LoopOptions Apply(ParseResult parse, LoopOptions options)
    {
        // A NaN threshold compares false with everything, and zero ticks means "never": either would silently
        // switch help requests off.
        if (parse.GetValue(_helpZ) is { } z && (!double.IsFinite(z) || z <= 0))
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
        RejectOutOfRange = parse.GetValue(_rejectOutOfRange),
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
