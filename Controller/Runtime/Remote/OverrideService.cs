using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Robotics.Protos;
using Robotics.Protos.Control;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Remote;

/// <summary>
/// Override: an operator's session. The first message takes the lease; each command is validated here (its
/// length, finite values, a discrete robot's index; out-of-range values rejected when so configured, else left for
/// the loop's limits to clamp, which flags the tick ACTION_CLAMPED) and only a valid one is handed to the loop, through a single-slot latest-value handoff it reads each tick. The session reports back what the
/// loop applied, when the commands went stale, and how the lease ended. One task writes the response stream.
/// </summary>
public sealed class OverrideService(RobotSession session) : Protos.Control.Override.OverrideBase
{
    // How often the session looks at what the loop did with its commands (acks, stale notices).
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(5);

    // The sent_ns of recent commands, so Applied can echo it (a ring: the loop applies the newest anyway).
    // A service instance serves one call.
    private const int SentTimes = 64;
    private readonly (ulong Sequence, ulong SentNs)[] _sentTimes = new (ulong, ulong)[SentTimes];

    /// <summary>The header an accepted Drive stream opens with; a refused one (trailers only) has none.</summary>
    public const string OpenHeader = "robotics-override-open";

    public override async Task Drive(IAsyncStreamReader<OperatorMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        // The stream's headers at once, before its TakeOver is read, saying it is open: a client waits for them before
        // writing, so that a refused stream (the token is checked before this runs) is read as its refusal, not raced by
        // a write the server no longer reads (which the client sees as the stream reset: Cancelled).
        await context.WriteResponseHeadersAsync(new Metadata { { OpenHeader, "1" } });
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.MessageCase != OperatorMessage.MessageOneofCase.TakeOver)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "an override session starts with TakeOver"));
        }
        string @operator = string.IsNullOrWhiteSpace(requestStream.Current.TakeOver.Operator) ? context.Peer : requestStream.Current.TakeOver.Operator;
        var lease = session.TakeLease(@operator);
        string endReason = "stream closed";
        // Bounded: a client that stops reading must not make the server hold an Applied every 5 ms for ever (and
        // collect them, which pauses the loop thread too). The oldest acknowledgements go first; the last message
        // (Released) is always written last.
        var outgoing = Channel.CreateBounded<ControllerMessage>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lease.Revoked);
        var writer = WriteAll(outgoing.Reader, responseStream);
        var reporter = Report(outgoing.Writer, lease, stop.Token);
        try
        {
            outgoing.Writer.TryWrite(new ControllerMessage { Granted = Granted() });
            var validator = new CommandValidator(session.Loop.Hardware.Description, session.Options.RejectOutOfRange);
            var action = new float[session.Loop.Hardware.Description.Actions.Count];
            while (await requestStream.MoveNext(stop.Token))
            {
                var message = requestStream.Current;
                if (message.MessageCase == OperatorMessage.MessageOneofCase.Release)
                {
                    endReason = "released";
                    break;
                }
                if (message.MessageCase != OperatorMessage.MessageOneofCase.Command)
                {
                    continue;
                }
                var command = message.Command;
                if (validator.Check(command.Action, action) is string problem)
                {
                    outgoing.Writer.TryWrite(new ControllerMessage
                    {
                        Rejected = new CommandRejected { Sequence = command.Sequence, Code = (int)StatusCode.InvalidArgument, Reason = problem },
                    });
                    continue;
                }
                _sentTimes[(int)(command.Sequence % SentTimes)] = (command.Sequence, command.SentNs);
                session.Loop.Overrides.Commands.Publish(action, MonotonicClock.NowNs(), (long)command.Sequence);
            }
        }
        catch (OperationCanceledException) when (lease.Revoked.IsCancellationRequested)
        {
            endReason = "emergency stop";
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            endReason = "operator disconnected";
        }
        finally
        {
            // The reporter ends before the lease is given back: it may revoke the lease, which must still be there.
            await stop.CancelAsync();
            await reporter;
            session.ReleaseLease(lease, endReason);
            if (!context.CancellationToken.IsCancellationRequested)
            {
                outgoing.Writer.TryWrite(new ControllerMessage { Released = new Released { Reason = endReason } });
            }
            outgoing.Writer.TryComplete();
            await writer;
        }
    }

    private Granted Granted()
    {
        var robot = session.Loop.Hardware.Description;
        var granted = new Granted
        {
            StaleAfterMs = (uint)session.Loop.Options.OverrideStaleAfter.TotalMilliseconds,
            Fallback = ProtoMapping.FallbackName(session.Loop.Options.Fallback),
            RateHz = session.Loop.Options.RateHz,
        };
        granted.ActionNames.AddRange(robot.Actions.Select(a => a.Name));
        granted.ActionMin.AddRange(robot.Actions.Select(a => a.Min));
        granted.ActionMax.AddRange(robot.Actions.Select(a => a.Max));
        return granted;
    }

    /// <summary>
    /// Tells the operator what the loop applied, and when its commands went stale; ends the session when the
    /// robot's own stop input latched the emergency stop (a remote stop revokes the lease itself).
    /// </summary>
    private async Task Report(ChannelWriter<ControllerMessage> outgoing, OverrideLease lease, CancellationToken stop)
    {
        var loop = session.Loop;
        var overrides = loop.Overrides;
        long reported = overrides.AppliedSequence;
        bool stale = false;
        var applied = new float[session.Loop.Hardware.Description.Actions.Count];
        using var timer = new PeriodicTimer(ReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (loop.Mailbox.StopLatched)
                {
                    lease.Revoke();
                    return;
                }
                long sequence = overrides.AppliedSequence;
                if (sequence != reported && sequence >= 0)
                {
                    reported = sequence;
                    long appliedAt = overrides.Applied.TryRead(applied, out long tag);
                    if (appliedAt != long.MinValue && tag == sequence)
                    {
                        var (known, sentNs) = _sentTimes[(int)((ulong)sequence % SentTimes)];
                        var message = new Applied { Sequence = (ulong)sequence, Tick = (ulong)overrides.AppliedTick, AppliedNs = (ulong)appliedAt, SentNs = known == (ulong)sequence ? sentNs : 0 };
                        message.Action.AddRange(applied);
                        outgoing.TryWrite(new ControllerMessage { Applied = message });
                    }
                }
                bool nowStale = loop.Status.Read().OverrideStale;
                if (nowStale != stale)
                {
                    stale = nowStale;
                    if (stale)
                    {
                        outgoing.TryWrite(new ControllerMessage
                        {
                            Stale = new Stale { StaleAfterMs = (uint)session.Loop.Options.OverrideStaleAfter.TotalMilliseconds, Fallback = ProtoMapping.FallbackName(session.Loop.Options.Fallback) },
                        });
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
    }

    private static async Task WriteAll(ChannelReader<ControllerMessage> outgoing, IServerStreamWriter<ControllerMessage> responseStream)
    {
        try
        {
            await foreach (var message in outgoing.ReadAllAsync())
            {
                await responseStream.WriteAsync(message);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The client is gone; nothing left to tell it.
        }
    }
}

/// <summary>
/// Checks an operator's command before it can reach the loop: length, finite values, a discrete robot's index, and
/// with <c>rejectOutOfRange</c> the limits. Values outside the limits are otherwise passed on as they are: the loop's
/// limits clamp them like any command, and the tick is flagged ACTION_CLAMPED, so the log shows the operator asked for more.
/// </summary>
internal sealed class CommandValidator(Hardware.Robots.RobotDescription robot, bool rejectOutOfRange)
{
    /// <summary>Null and the command in <paramref name="action"/>; else the problem.</summary>
    public string? Check(IList<float> command, float[] action)
    {
        var c = CultureInfo.InvariantCulture;
        if (command.Count != robot.Actions.Count)
        {
            return string.Create(c, $"the command has {command.Count} values; the robot takes {robot.Actions.Count} ({string.Join(", ", robot.Actions.Select(a => a.Name))})");
        }
        for (int i = 0; i < command.Count; i++)
        {
            var spec = robot.Actions[i];
            float value = command[i];
            if (!float.IsFinite(value))
            {
                return $"{spec.Name} is {value}: commands must be finite";
            }
            if (robot.IsDiscrete && (value != MathF.Floor(value) || value < spec.Min || value > spec.Max))
            {
                return string.Create(c, $"{spec.Name} is {value}: not one of the robot's action indices 0..{spec.Max}");
            }
            if (rejectOutOfRange && (value < spec.Min || value > spec.Max))
            {
                return string.Create(c, $"{spec.Name} is {value} {spec.Unit}, outside [{spec.Min}, {spec.Max}]");
            }
            action[i] = value;
        }
        return null;
    }
}
