using Robotics.Controller.Loop;
using Robotics.Protos;

namespace Robotics.Controller.Control;

/// <summary>
/// The override lease: one remote operator at a time may take over. Each lease is a new number, handed to the loop
/// (<see cref="OperatorChannel.Lease"/>), which applies only commands sent under the lease in force: a command of an
/// operator whose lease ended, or of a lease never granted, never drives. An emergency stop, a restarted or lost gateway
/// take the lease away. Lives on the control plane's side (any thread but the loop's); the loop reads one number.
/// </summary>
public sealed class OverrideLeases(ControlLoop loop, EventHub events)
{
    private readonly Lock _gate = new();
    private long _lastGranted;
    private string? _holder;

    /// <summary>The operator holding the lease, or null.</summary>
    public string? Holder
    {
        get
        {
            lock (_gate)
            {
                return _holder;
            }
        }
    }

    /// <summary>Grants <paramref name="operator"/> a new lease.</summary>
    /// <exception cref="ControlRefusedException">FailedPrecondition: someone else holds it, or the robot is emergency-stopped.</exception>
    public long Take(string @operator)
    {
        long lease;
        lock (_gate)
        {
            if (loop.Mailbox.StopLatched)
            {
                throw new ControlRefusedException(ControlFailure.FailedPrecondition, "the robot is emergency-stopped: release the stop (Control.ReleaseEmergencyStop) before taking over");
            }
            if (_holder is not null)
            {
                throw new ControlRefusedException(ControlFailure.FailedPrecondition, $"the override lease is held by {_holder}");
            }
            lease = ++_lastGranted;
            _holder = @operator;
            // Named before the loop can drive under it: a recorder reading the lease's first tick finds its holder.
            loop.OverrideOperators.Register(lease, @operator);
            loop.Overrides.Lease = lease;
        }
        Publish(LoopEventKind.OverrideTaken, $"{@operator} took over");
        return lease;
    }

    /// <summary>Gives lease <paramref name="lease"/> back; nothing happens when it is no longer the one in force.</summary>
    public void Release(long lease, string reason) => End(lease, reason);

    /// <summary>Takes the lease in force away (emergency stop, gateway gone), whoever holds it.</summary>
    public void Revoke(string reason) => End(loop.Overrides.Lease, reason);

    private void End(long lease, string reason)
    {
        string? holder;
        lock (_gate)
        {
            if (lease == 0 || loop.Overrides.Lease != lease)
            {
                return;
            }
            holder = _holder;
            _holder = null;
            loop.Overrides.Lease = 0;
        }
        Publish(LoopEventKind.OverrideReleased, $"{holder} released the robot ({reason})");
    }

    private void Publish(LoopEventKind kind, string text)
    {
        // The loop's published status, read without a lock the tick could wait on: the take-over or release
        // happened between ticks, and the episode's next step is the first it changes.
        var status = loop.Status.Read();
        events.Publish(new LoopEvent(kind, MonotonicClock.NowNs(), status.Episode, status.EpisodeTick, Text: text, Mode: status.Mode));
    }
}
