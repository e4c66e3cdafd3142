namespace Robotics.Controller.Control;

/// <summary>What the control plane can ask of the loop itself (the rest it does on its own threads).</summary>
public enum LoopRequestKind
{
    None,
    SetMode,
    ResetEpisode,
    ReleaseStop,
}

/// <summary>How the loop answered a request.</summary>
public enum LoopAnswer
{
    Done,
    /// <summary>Autonomous and shadow modes need a policy and none is loaded.</summary>
    NoPolicy,
    /// <summary>A release while the robot's own stop input is still active.</summary>
    StopInputActive,
    /// <summary>A release when there is no stop to release.</summary>
    NotStopped,
}

/// <summary>
/// The loop's side of the control plane: one request slot and the emergency stop's latch. The control plane
/// posts one request at a time and waits for the answer; the loop takes it on its next tick, after reading the
/// robot, so it decides with what the robot shows now (a release while a stop input is held is refused). The
/// stop is latched at once by anyone — an operator's EmergencyStop, the loop on a stop input — as a count of
/// latches; only the loop releases it, up to the latches it has seen, so a stop latched while a release is being
/// decided still holds. Single words and volatile accesses: nothing here can make the loop wait.
/// </summary>
public sealed class LoopMailbox
{
    private long _lastPosted;
    private long _pending;
    private long _taken;
    private long _answeredFor;
    private int _kind;
    private long _argument;
    private int _answer;
    private long _stopLatches;
    private long _stopReleasedUpTo;

    /// <summary>Times the stop was latched, by anyone.</summary>
    public long StopLatches => Interlocked.Read(ref _stopLatches);

    /// <summary>The stop is latched: a latch the loop has not released.</summary>
    public bool StopLatched => IsLatched(StopLatches);

    /// <summary>Whether the stop is latched as of <paramref name="latches"/> (one read of <see cref="StopLatches"/>, used for a whole tick).</summary>
    public bool IsLatched(long latches) => latches > Volatile.Read(ref _stopReleasedUpTo);

    /// <summary>Latches the emergency stop (any thread): the loop holds the robot safe from its next tick until a release.</summary>
    public void LatchStop() => Interlocked.Increment(ref _stopLatches);

    /// <summary>Control plane (one request at a time): posts a request; returns its number, for <see cref="TryGetAnswer"/>.</summary>
    internal long Post(LoopRequestKind kind, long argument = 0)
    {
        _kind = (int)kind;
        _argument = argument;
        long id = ++_lastPosted;
        // Publishing after the fields: the loop's read of the number orders its reads of them after.
        Volatile.Write(ref _pending, id);
        return id;
    }

    /// <summary>
    /// Control plane: takes back request <paramref name="id"/> if the loop has not taken it (a request that timed
    /// out must not apply later); false when the loop already took it, and will answer it on this tick.
    /// </summary>
    internal bool TryWithdraw(long id) => Interlocked.CompareExchange(ref _pending, 0, id) == id;

    /// <summary>Control plane: the loop's answer to request <paramref name="id"/>, once it has given one.</summary>
    internal bool TryGetAnswer(long id, out LoopAnswer answer)
    {
        bool answered = Volatile.Read(ref _answeredFor) == id;
        answer = answered ? (LoopAnswer)Volatile.Read(ref _answer) : default;
        return answered;
    }

    /// <summary>Loop: the request posted since its last look, if any. One volatile read when there is none.</summary>
    internal bool TryTake(out LoopRequestKind kind, out long argument)
    {
        long id = Volatile.Read(ref _pending);
        if (id == 0 || Interlocked.CompareExchange(ref _pending, 0, id) != id)
        {
            (kind, argument) = (LoopRequestKind.None, 0);
            return false;
        }
        (kind, argument, _taken) = ((LoopRequestKind)_kind, _argument, id);
        return true;
    }

    /// <summary>Loop: answers the request it took.</summary>
    internal void Answer(LoopAnswer answer)
    {
        Volatile.Write(ref _answer, (int)answer);
        Volatile.Write(ref _answeredFor, _taken);
    }

    /// <summary>Loop: releases the stop up to <paramref name="latchesSeen"/> latches: one latched after that still holds.</summary>
    internal void ReleaseStop(long latchesSeen) => Volatile.Write(ref _stopReleasedUpTo, latchesSeen);
}
