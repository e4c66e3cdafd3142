using Grpc.Core;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy.Heads;
using Robotics.Controller.Remote;
using Robotics.Controller.Safety;
using Robotics.Controller.Ticks;
using Robotics.Protos;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using RobotStatus = Robotics.Protos.Control.Status;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Gateway;

/// <summary>
/// Telemetry: each stream reads the loop's tick ring (in the link's loop segment) at its own <see cref="TickCursor"/>, which is the subscriber's
/// bounded, drop-oldest queue: a subscriber that reads (or whose network drains) slower than the loop ticks finds
/// its next ticks overwritten, skips to the oldest still held, and counts what it lost in every frame. The policy's
/// outputs are written by the head the record names.
/// </summary>
public sealed class TelemetryService(GatewaySession session) : Protos.Control.Telemetry.TelemetryBase
{
    // How often an idle stream looks for new ticks: 2 ms keeps a 1 kHz stream's latency to a few ticks
    // without a subscriber busy-waiting.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    private static readonly HashSet<TelemetryField> AllFields = [TelemetryField.Observation, TelemetryField.Action, TelemetryField.Policy, TelemetryField.Timing];

    public override async Task Stream(TelemetryRequest request, IServerStreamWriter<TelemetryFrame> responseStream, ServerCallContext context)
    {
        if (request.MaxRateHz < 0 || !double.IsFinite(request.MaxRateHz))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "max_rate_hz must be 0 (no limit) or a positive rate"));
        }
        var ring = session.Link.Ticks;
        var fields = request.Fields.Count == 0 ? AllFields : [.. request.Fields];
        long decimation = Math.Max(1, request.Decimation);
        long minimumGapNs = request.MaxRateHz > 0 ? (long)(1e9 / request.MaxRateHz) : 0;
        long lastSentNs = long.MinValue;
        var cursor = new TickCursor(ring, ring.Published);
        var frame = new TelemetryFrame();
        session.CountSubscriber(+1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Link.Down);
        try
        {
            using var timer = new PeriodicTimer(PollInterval);
            while (!stop.IsCancellationRequested)
            {
                while (cursor.TryRead())
                {
                    ref readonly var tick = ref cursor.Header;
                    if (tick.Kind != TickKind.Step || tick.LoopTick % decimation != 0 ||
                        (minimumGapNs > 0 && lastSentNs != long.MinValue && tick.TimestampNs - lastSentNs < minimumGapNs))
                    {
                        continue;
                    }
                    lastSentNs = tick.TimestampNs;
                    Fill(frame, cursor, fields);
                    await responseStream.WriteAsync(frame, stop.Token);
                }
                await timer.WaitForNextTickAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away: the normal end of a telemetry stream.
        }
        catch (OperationCanceledException) when (session.Link.Down.IsCancellationRequested)
        {
            throw session.RobotDown();
        }
        finally
        {
            session.CountSubscriber(-1);
        }
    }

    public override Task<RobotStatus> GetStatus(StatusRequest request, ServerCallContext context) => StatusMessages.ReadAsync(session);

    public override async Task Events(EventsRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context)
    {
        using var subscription = session.Events.Subscribe();
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(EventMessages.ToProto(e, subscription.Dropped), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away.
            return;
        }
        if (session.Link.Down.IsCancellationRequested)
        {
            throw session.RobotDown();
        }
    }

    /// <summary>
    /// Fills the stream's one frame with a tick. The frame is reused (its lists keep their capacity): after
    /// WriteAsync returns it has been serialized, and at 1 kHz a new frame per tick per subscriber would be the
    /// server's main source of garbage, and so of collections that pause the loop thread too.
    /// </summary>
    private static void Fill(TelemetryFrame frame, TickCursor cursor, HashSet<TelemetryField> fields)
    {
        ref readonly var tick = ref cursor.Header;
        frame.TimestampNs = (ulong)tick.TimestampNs;
        frame.Tick = (ulong)tick.LoopTick;
        frame.Episode = tick.Episode;
        frame.EpisodeTick = tick.EpisodeTick;
        frame.Mode = tick.Mode.ToProto();
        frame.Source = tick.Source;
        frame.Flags = tick.Flags;
        frame.Fault = tick.Fault.ToProto();
        frame.Dropped = (ulong)cursor.Lost;
        bool timing = fields.Contains(TelemetryField.Timing);
        frame.LatenessNs = timing ? tick.LatenessNs : 0;
        frame.WorkNs = timing ? tick.WorkNs : 0;
        frame.Observation.ReplaceWith(fields.Contains(TelemetryField.Observation) ? cursor.Observation : []);
        frame.Action.ReplaceWith(fields.Contains(TelemetryField.Action) ? cursor.Action : []);
        bool policy = fields.Contains(TelemetryField.Policy) && tick.Head != HeadKind.None;
        if (policy)
        {
            PolicyHeads.Of(tick.Head).WriteTelemetry(cursor.HeadOutputs, cursor.Action.Length, frame);
        }
        else
        {
            frame.ClearPolicy();
        }
        frame.Uncertainty = policy ? tick.Uncertainty : 0;
        frame.ObservationZ = policy ? tick.ObservationZ : 0;
        frame.Novelty = policy ? tick.Novelty : 0;
        frame.HelpTriggers = policy ? tick.HelpTriggers : 0;
    }
}
