using Robotics.Controller.Policy;
using Robotics.Protos.Log;

namespace Robotics.Controller.Loop;

/// <summary>What arbitration chose for a tick.</summary>
/// <param name="Source">Who drives; Safety means the safe action, and the command buffer is not used.</param>
/// <param name="AppliedSequence">The override command applied, or −1.</param>
/// <param name="BecameStale">The override operator's commands went stale on this tick.</param>
/// <param name="Lease">The override lease the applied command came under, or 0.</param>
public readonly record struct Arbitration(ActionSource Source, long AppliedSequence, bool BecameStale, long Lease = 0);

/// <summary>
/// Chooses who drives each tick and writes their command: nobody while the robot is stopped; else the override
/// operator while its commands are fresh (then the fallback); else the mode's driver — the policy in autonomous
/// mode (the safe action while it pauses for help), the local operator in teleop and shadow modes. Allocation-free.
/// </summary>
internal sealed class Arbiter(LoopOptions options, OperatorChannel overrides, PolicyRunner? policy, HelpMonitor? help, IOperator? @operator)
{
    private readonly long _staleAfterNs = options.OverrideStaleAfter.Ticks * 100;
    private readonly LoopRandom _random = new((ulong)options.Seed);
    private bool _overrideWasHeld;

    /// <summary>The override operator holds the lease and its commands are stale.</summary>
    public bool OverrideStale { get; private set; }

    /// <param name="stopped">The emergency stop holds (latched, or a stop input active on this tick).</param>
    /// <param name="policyRan">The policy ran on this tick: its outputs are this tick's (in teleop mode it does not run).</param>
    public Arbitration Choose(long now, ControlMode mode, bool stopped, bool policyRan, ReadOnlySpan<float> observation, Span<float> command)
    {
        if (stopped)
        {
            return new(ActionSource.Safety, -1, false);
        }
        if (overrides.Held)
        {
            return ChooseOverride(now, mode, policyRan, command);
        }
        if (_overrideWasHeld)
        {
            _overrideWasHeld = false;
            OverrideStale = false;
        }
        if (mode == ControlMode.Autonomous)
        {
            return help is { Pauses: true, Requesting: true } ? new(ActionSource.Safety, -1, false) : ChoosePolicy(command);
        }
        return @operator is not null && @operator.TryAct(observation, command) ? new(ActionSource.Teleop, -1, false) : new(ActionSource.Safety, -1, false);
    }

    private Arbitration ChooseOverride(long now, ControlMode mode, bool policyRan, Span<float> command)
    {
        _overrideWasHeld = true;
        long received = overrides.ReadCommand(now, command, out long sequence, out long lease);
        if (received == long.MinValue)
        {
            // The operator has the lease but has sent no valid command yet: hold the safe action, quietly.
            return new(ActionSource.Safety, -1, false);
        }
        if (now - received <= _staleAfterNs)
        {
            OverrideStale = false;
            help?.Reset();
            return new(mode == ControlMode.Autonomous ? ActionSource.Override : ActionSource.Teleop, sequence, false, lease);
        }
        bool becameStale = !OverrideStale;
        OverrideStale = true;
        return options.Fallback == OverrideFallback.Policy && policyRan
            ? ChoosePolicy(command) with { BecameStale = becameStale }
            : new(ActionSource.Safety, -1, becameStale);
    }

    private Arbitration ChoosePolicy(Span<float> command)
    {
        policy!.Head.SelectAction(policy.Outputs, command, options.Stochastic, _random);
        return new(ActionSource.Policy, -1, false);
    }
}
