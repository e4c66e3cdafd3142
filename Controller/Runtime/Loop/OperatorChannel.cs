using Robotics.Controller.Link;
using Robotics.Controller.Safety;
using Robotics.Controller.Shared;

namespace Robotics.Controller.Loop;

/// <summary>What the loop does when the override operator's commands go stale.</summary>
public enum OverrideFallback
{
    /// <summary>Send the safe action until a fresh command arrives.</summary>
    SafeAction,
    /// <summary>Let the policy drive until a fresh command arrives.</summary>
    Policy,
}

/// <summary>
/// The override operator's path into the loop and back. Whoever grants the lease sets <see cref="Lease"/>; the
/// operator's newest command waits in a single-slot latest-value cell in the gateway's segment of the link, which the
/// loop reads each tick (with pread, never through a mapping: <see cref="GatewayFileReader"/>); the loop publishes what it sent for the newest command it applied. The
/// loop trusts nothing it reads there: a command drives only under the current lease and when it passes the
/// <see cref="CommandRules"/>, and a refused one is counted. No locks: no operator can make the loop wait.
/// </summary>
public sealed class OperatorChannel
{
    private readonly CommandRules _rules;
    private readonly GatewayFileReader? _commands;
    private long _lease;
    private long _appliedSequence = -1;
    private long _appliedLease;
    private long _appliedTick;
    private long _rejected;
    // The loop's own record of the commands it read: the last one seen (and whether it was refused), and the last valid
    // one with when the loop first saw it (its clock, not the sender's).
    private readonly float[] _read;
    private readonly float[] _valid;
    private long _seenLease;
    private long _seenSequence = long.MinValue;
    private bool _seenRefused;
    private long _validLease;
    private long _validSequence;
    private long _validSeenAtNs;

    /// <param name="commands">Where the operator's commands arrive (the gateway's segment); null: nowhere (no remote operator can take over).</param>
    /// <param name="applied">Where the loop reports what it applied (the loop's segment); null: memory of this process.</param>
    public OperatorChannel(CommandRules rules, GatewayFileReader? commands = null, MemoryBlock? applied = null)
    {
        int width = rules.Robot.Actions.Count;
        _rules = rules;
        _commands = commands;
        _read = new float[width];
        _valid = new float[width];
        Applied = new SharedCell<LinkApplied>(applied ?? MemoryBlock.Pinned(SharedCell.BytesFor<LinkApplied>(width)), width);
    }

    /// <summary>What the loop sent for the newest applied command (after limits and rate limits).</summary>
    public SharedCell<LinkApplied> Applied { get; }

    /// <summary>The lease in force (0: nobody holds the override), set by whoever grants it.</summary>
    public long Lease
    {
        get => Volatile.Read(ref _lease);
        set => Volatile.Write(ref _lease, value);
    }

    /// <summary>An operator holds the override lease.</summary>
    public bool Held => Lease != 0;

    /// <summary>Sequence number of the newest override command the loop applied, or −1.</summary>
    public long AppliedSequence => Volatile.Read(ref _appliedSequence);

    /// <summary>The tick that first applied it.</summary>
    public long AppliedTick => Volatile.Read(ref _appliedTick);

    /// <summary>Commands the loop refused: non-finite, out of the rules, or sent under a lease not granted.</summary>
    public long RejectedCommands => Volatile.Read(ref _rejected);

    /// <summary>
    /// Loop: the current lease's newest valid command into <paramref name="command"/>, with its sequence and lease; returns when
    /// the loop first saw it (monotonic ns, for staleness), or <see cref="long.MinValue"/> when the lease has none yet.
    /// What the cell holds now is used only if it passes: a command breaking the rules, one under a lease not in force,
    /// or a cell that cannot be read whole leaves the last valid command in place, its age growing until the staleness
    /// rule hands over to the fallback. Allocates nothing.
    /// </summary>
    internal long ReadCommand(long now, Span<float> command, out long sequence, out long lease)
    {
        sequence = -1;
        lease = Lease;
        if (lease == 0)
        {
            return long.MinValue;
        }
        if (_commands is not null && _commands.TryReadCommand(out var header, _read))
        {
            Judge(header, lease, now);
        }
        if (_validLease != lease)
        {
            return long.MinValue;
        }
        _valid.CopyTo(command);
        sequence = _validSequence;
        return _validSeenAtNs;
    }

    /// <summary>Takes the command just read as the newest valid one, or refuses it (counted once per command).</summary>
    private void Judge(in LinkCommand header, long lease, long now)
    {
        bool seen = header.Lease == _seenLease && header.Sequence == _seenSequence;
        if (seen && !_seenRefused)
        {
            // The same command again: already taken. (Its values are checked again: the writer may have changed them.)
            if (_rules.Check(_read, out _) == CommandProblem.None)
            {
                _read.CopyTo(_valid);
                return;
            }
        }
        else if (seen)
        {
            return;
        }
        (_seenLease, _seenSequence) = (header.Lease, header.Sequence);
        // An earlier lease's last command is simply old (the cell keeps it until the new operator writes); a lease never
        // granted, or a command breaking the rules, is the writer's fault.
        bool valid = header.Lease == lease && _rules.Check(_read, out _) == CommandProblem.None;
        _seenRefused = !valid;
        if (!valid)
        {
            if (header.Lease >= lease)
            {
                Volatile.Write(ref _rejected, _rejected + 1);
            }
            return;
        }
        _read.CopyTo(_valid);
        (_validLease, _validSequence, _validSeenAtNs) = (lease, header.Sequence, now);
    }

    /// <summary>
    /// Loop: it wrote the command <paramref name="sequence"/> to the actuators as <paramref name="action"/>. Only its
    /// first tick counts: the loop re-applies the newest command every tick until another arrives, and
    /// command-to-actuator latency is measured to the first.
    /// </summary>
    internal void ReportApplied(long sequence, long tick, long nowNs, ReadOnlySpan<float> action)
    {
        long lease = Lease;
        if (sequence == _appliedSequence && lease == _appliedLease)
        {
            return;
        }
        _appliedLease = lease;
        Applied.Publish(new LinkApplied { Lease = lease, Sequence = sequence, Tick = tick, AppliedNs = nowNs }, action);
        Volatile.Write(ref _appliedTick, tick);
        Volatile.Write(ref _appliedSequence, sequence);
    }
}
