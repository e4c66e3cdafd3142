using System.Threading.Channels;
using Grpc.Core;
using Robotics.Controller.Link;
using Robotics.Controller.Remote;
using Robotics.Controller.Safety;
using Robotics.Protos;
using Robotics.Protos.Control;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Gateway;

/// <summary>
/// Override: an operator's session. The first message takes the lease (a request the loop process grants); each
/// command is checked here against the rules the loop applies (<see cref="CommandRules"/>), so a bad one is refused
/// with its reason, and a valid one goes into the link's command cell under the lease, where the loop reads it each
/// tick (and checks it again). The session reports back what the loop applied, when the commands went stale, and how
/// the lease ended. One task writes the response stream.
/// </summary>
public sealed class OverrideService(GatewaySession session) : Protos.Control.Override.OverrideBase
{
    // How often the session looks at what the loop did with its commands (acks, stale notices, a lease taken away).
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(5);

    // The sent_ns of recent commands, so Applied can echo it (a ring: the loop applies the newest anyway).
    // A service instance serves one call.
    private const int SentTimes = 64;
    private readonly (long Sequence, long SentNs)[] _sentTimes = new (long, long)[SentTimes];

    public override async Task Drive(IAsyncStreamReader<OperatorMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        // The stream's headers at once, before its TakeOver is read, saying it is open: a client waits for them before
        // writing, so that a refused stream (the token is checked before this runs) is read as its refusal, not raced by
        // a write the server no longer reads (which the client sees as the stream reset: Cancelled).
        await context.WriteResponseHeadersAsync(new Metadata { { RemoteChannel.OverrideOpenHeader, "1" } });
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.MessageCase != OperatorMessage.MessageOneofCase.TakeOver)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "an override session starts with TakeOver"));
        }
        var link = session.Link;
        string @operator = string.IsNullOrWhiteSpace(requestStream.Current.TakeOver.Operator) ? context.Peer : requestStream.Current.TakeOver.Operator;
        var granted = await link.AskAsync(LinkRequestKind.TakeOver, text: @operator);
        if (granted.Failure is { } refused)
        {
            throw new RpcException(new Status(refused.ToStatusCode(), granted.Message));
        }
        var lease = new Lease(granted.Result, MonotonicClock.NowNs());
        string endReason = "stream closed";
        // Bounded: a client that stops reading must not make the server hold an Applied every 5 ms for ever. The
        // oldest acknowledgements go first; the last message (Released) is always written last.
        var outgoing = Channel.CreateBounded<ControllerMessage>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, link.Down);
        var writer = WriteAll(outgoing.Reader, responseStream);
        var reporter = Report(outgoing.Writer, lease, stop);
        try
        {
            outgoing.Writer.TryWrite(new ControllerMessage { Granted = Granted() });
            var action = new float[link.Robot.Actions.Count];
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
                if (Check(command.Action, action) is string problem)
                {
                    outgoing.Writer.TryWrite(new ControllerMessage
                    {
                        Rejected = new CommandRejected { Sequence = command.Sequence, Code = (int)StatusCode.InvalidArgument, Reason = problem },
                    });
                    continue;
                }
                _sentTimes[(int)(command.Sequence % SentTimes)] = ((long)command.Sequence, (long)command.SentNs);
                link.SendCommand(lease.Id, (long)command.Sequence, (long)command.SentNs, action);
            }
        }
        catch (OperationCanceledException) when (lease.EndedBy is not null)
        {
            endReason = lease.EndedBy;
        }
        catch (OperationCanceledException) when (link.Down.IsCancellationRequested)
        {
            endReason = "robot down";
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            endReason = "operator disconnected";
        }
        finally
        {
            await stop.CancelAsync();
            await reporter;
            if (lease.EndedBy is null && !link.Down.IsCancellationRequested)
            {
                await link.AskAsync(LinkRequestKind.ReleaseOverride, lease.Id, endReason);
            }
            if (!context.CancellationToken.IsCancellationRequested)
            {
                outgoing.Writer.TryWrite(new ControllerMessage { Released = new Released { Reason = endReason } });
            }
            outgoing.Writer.TryComplete();
            await writer;
        }
        if (endReason == "robot down")
        {
            throw session.RobotDown();
        }
    }

    /// <summary>Null and the command in <paramref name="action"/>; else the problem, as the operator reads it.</summary>
    private string? Check(Google.Protobuf.Collections.RepeatedField<float> command, float[] action)
    {
        var values = command.Count == action.Length ? action : new float[command.Count];
        command.CopyTo(values, 0);
        var problem = session.Link.Rules.Check(values, out int index);
        return problem == CommandProblem.None ? null : session.Link.Rules.Describe(problem, index, values);
    }

    private Granted Granted()
    {
        var robot = session.Link.Descriptor;
        var granted = new Granted { StaleAfterMs = robot.StaleAfterMs, Fallback = robot.Fallback, RateHz = robot.RateHz };
        granted.ActionNames.AddRange(robot.Actions.Select(a => a.Name));
        granted.ActionMin.AddRange(robot.Actions.Select(a => a.Min));
        granted.ActionMax.AddRange(robot.Actions.Select(a => a.Max));
        return granted;
    }

    /// <summary>
    /// Tells the operator what the loop applied, and when its commands went stale; ends the session when the loop took
    /// the lease away (an emergency stop, the robot's own stop input).
    /// </summary>
    private async Task Report(ChannelWriter<ControllerMessage> outgoing, Lease lease, CancellationTokenSource stop)
    {
        var link = session.Link;
        long reported = -1;
        bool stale = false;
        var applied = new float[link.Robot.Actions.Count];
        using var timer = new PeriodicTimer(ReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                var status = link.ReadStatus();
                // A snapshot taken after the grant that shows another lease (or none): the loop ended this one.
                if (status.HeartbeatNs > lease.GrantedNs && status.Lease != lease.Id)
                {
                    lease.EndedBy = status.Flags.HasFlag(LinkStatusBits.EmergencyStopped) ? "emergency stop" : "lease revoked";
                    await stop.CancelAsync();
                    return;
                }
                if (link.Applied.TryRead(out var ack, applied) && ack.Lease == lease.Id && ack.Sequence != reported)
                {
                    reported = ack.Sequence;
                    var message = new Applied { Sequence = (ulong)ack.Sequence, Tick = (ulong)ack.Tick, AppliedNs = (ulong)ack.AppliedNs, SentNs = (ulong)SentTime(ack.Sequence) };
                    message.Action.AddRange(applied);
                    outgoing.TryWrite(new ControllerMessage { Applied = message });
                }
                bool nowStale = status.Lease == lease.Id && status.Flags.HasFlag(LinkStatusBits.OverrideStale);
                if (nowStale != stale)
                {
                    stale = nowStale;
                    if (stale)
                    {
                        var robot = link.Descriptor;
                        outgoing.TryWrite(new ControllerMessage { Stale = new Stale { StaleAfterMs = robot.StaleAfterMs, Fallback = robot.Fallback } });
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
    }

    /// <summary>When the operator sent command <paramref name="sequence"/>, while the ring remembers it; else 0.</summary>
    private long SentTime(long sequence)
    {
        var (known, sentNs) = _sentTimes[(int)((ulong)sequence % SentTimes)];
        return known == sequence ? sentNs : 0;
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

    /// <summary>The lease this session holds, and what ended it when the loop did.</summary>
    private sealed class Lease(long id, long grantedNs)
    {
        public long Id => id;

        public long GrantedNs => grantedNs;

        public string? EndedBy { get; set; }
    }
}
