using Grpc.Core;
using Robotics.Controller.Control;
using Robotics.Controller.Loop;
using Robotics.Protos;

namespace Robotics.Controller.Remote;

/// <summary>
/// What the gRPC services share about the running robot: the loop, its control plane and event hub, and the
/// override lease (one operator at a time). Lives on the server's threads; the loop sees only its mailbox and the
/// operator channel.
/// </summary>
public sealed class RobotSession(ControlLoop loop, ControlPlane plane, EventHub events, ServerOptions options) : IDisposable
{
    private readonly Lock _lease = new();
    private OverrideLease? _holder;
    private int _telemetrySubscribers;

    public ControlLoop Loop => loop;

    public ControlPlane Plane => plane;

    public EventHub Events => events;

    public ServerOptions Options => options;

    public string? OverrideOwner
    {
        get
        {
            lock (_lease)
            {
                return _holder?.Operator;
            }
        }
    }

    public int TelemetrySubscribers => Volatile.Read(ref _telemetrySubscribers);

    internal void CountSubscriber(int change) => Interlocked.Add(ref _telemetrySubscribers, change);

    /// <summary>Takes the override lease for <paramref name="operator"/>.</summary>
    /// <exception cref="RpcException">FAILED_PRECONDITION: someone else holds it, or the robot is emergency-stopped.</exception>
    public OverrideLease TakeLease(string @operator)
    {
        var lease = new OverrideLease(@operator);
        lock (_lease)
        {
            if (loop.Mailbox.StopLatched)
            {
                lease.Dispose();
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "the robot is emergency-stopped: release the stop (Control.ReleaseEmergencyStop) before taking over"));
            }
            if (_holder is not null)
            {
                lease.Dispose();
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the override lease is held by {_holder.Operator}"));
            }
            _holder = lease;
            // A new operator starts from nothing: the previous one's last command must not drive for them.
            loop.Overrides.Commands.Clear();
            loop.Overrides.Held = true;
        }
        Publish(LoopEventKind.OverrideTaken, $"{@operator} took over");
        return lease;
    }

    /// <summary>Gives the lease back (the owner released it, disconnected, or was revoked).</summary>
    public void ReleaseLease(OverrideLease lease, string reason)
    {
        lock (_lease)
        {
            if (_holder != lease)
            {
                return;
            }
            loop.Overrides.Held = false;
            _holder = null;
        }
        lease.Dispose();
        Publish(LoopEventKind.OverrideReleased, $"{lease.Operator} released the robot ({reason})");
    }

    /// <summary>Ends any override session: the emergency stop was latched (by an operator or on the robot).</summary>
    public void RevokeLease()
    {
        lock (_lease)
        {
            loop.Overrides.Held = false;
            _holder?.Revoke();
        }
    }

    public void Dispose()
    {
        lock (_lease)
        {
            _holder?.Dispose();
            _holder = null;
        }
    }

    private void Publish(LoopEventKind kind, string text)
    {
        // The loop's published status, read without a lock the tick could wait on: the take-over or release
        // happened between ticks, and the episode's next step is the first it changes.
        var status = loop.Status.Read();
        events.Publish(new LoopEvent(kind, MonotonicClock.NowNs(), status.Episode, status.EpisodeTick, Text: text, Mode: status.Mode));
    }
}

/// <summary>One operator's hold on the robot: revoked by an emergency stop.</summary>
public sealed class OverrideLease(string @operator) : IDisposable
{
    private readonly CancellationTokenSource _revoked = new();

    public string Operator => @operator;

    /// <summary>Cancelled when the lease is taken away (emergency stop).</summary>
    public CancellationToken Revoked => _revoked.Token;

    internal void Revoke() => _revoked.Cancel();

    public void Dispose() => _revoked.Dispose();
}
