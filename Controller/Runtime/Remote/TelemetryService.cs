using Grpc.Core;
using Robotics.Controller.Loop;
using Robotics.Hardware.Config;
using Robotics.Protos;
using Robotics.Protos.Control;
using RobotStatus = Robotics.Protos.Control.Status;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Remote;

/// <summary>
/// Telemetry: each stream reads the loop's telemetry ring at its own cursor. The cursor is the subscriber's
/// bounded, drop-oldest queue: a subscriber that reads (or whose network drains) slower than the loop ticks
/// finds its next ticks overwritten, skips to the oldest still held, and counts what it lost in every frame.
/// </summary>
public sealed class TelemetryService(RobotSession session) : Protos.Control.Telemetry.TelemetryBase
{
    // How often an idle stream looks for new ticks: 2 ms keeps a 1 kHz stream's latency to a few ticks
    // without a subscriber busy-waiting.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    public override async Task Stream(TelemetryRequest request, IServerStreamWriter<TelemetryFrame> responseStream, ServerCallContext context)
    {
        if (request.MaxRateHz < 0 || !double.IsFinite(request.MaxRateHz))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "max_rate_hz must be 0 (no limit) or a positive rate"));
        }
        var ring = session.Loop.Telemetry;
        var fields = request.Fields.Count == 0
            ? new HashSet<TelemetryField> { TelemetryField.Observation, TelemetryField.Action, TelemetryField.Policy, TelemetryField.Timing }
            : [.. request.Fields];
        long decimation = Math.Max(1, request.Decimation);
        long minimumGapNs = request.MaxRateHz > 0 ? (long)(1e9 / request.MaxRateHz) : 0;
        long lastSentNs = long.MinValue;
        var snapshot = ring.CreateSnapshot();
        var frame = new TelemetryFrame();
        long next = ring.Published;
        ulong dropped = 0;
        session.CountSubscriber(+1);
        try
        {
            using var timer = new PeriodicTimer(PollInterval);
            while (!context.CancellationToken.IsCancellationRequested)
            {
                while (true)
                {
                    var read = ring.TryRead(next, snapshot);
                    if (read == RingRead.NotYet)
                    {
                        break;
                    }
                    if (read == RingRead.Overwritten)
                    {
                        // Too slow: skip to the oldest tick the ring still holds, with a margin for the writer.
                        long oldest = Math.Max(next + 1, ring.Published - ring.Capacity + ring.Capacity / 8);
                        dropped += (ulong)(oldest - next);
                        next = oldest;
                        continue;
                    }
                    long tick = next++;
                    if (tick % decimation != 0 || (minimumGapNs > 0 && lastSentNs != long.MinValue && snapshot.TimestampNs - lastSentNs < minimumGapNs))
                    {
                        continue;
                    }
                    lastSentNs = snapshot.TimestampNs;
                    Fill(frame, snapshot, fields, dropped);
                    await responseStream.WriteAsync(frame, context.CancellationToken);
                }
                await timer.WaitForNextTickAsync(context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away: the normal end of a telemetry stream.
        }
        finally
        {
            session.CountSubscriber(-1);
        }
    }

    public override Task<RobotStatus> GetStatus(StatusRequest request, ServerCallContext context)
    {
        var loop = session.Loop;
        var statistics = loop.Statistics;
        long started = loop.StartedAtNs;
        double uptime = started == 0 ? 0 : (MonotonicClock.NowNs() - started) / 1e9;
        var lateness = statistics.Lateness.Summarize().InMicroseconds();
        var robot = loop.Hardware.Description;
        var status = new RobotStatus
        {
            Robot = robot.Name,
            Mode = loop.Control.Mode.ToProto(),
            NominalRateHz = loop.Options.RateHz,
            AchievedRateHz = uptime > 0 ? statistics.Ticks / uptime : 0,
            Ticks = (ulong)statistics.Ticks,
            Overruns = (ulong)statistics.Overruns,
            UptimeS = uptime,
            Fault = ReadFault(loop),
            OverrideOwner = session.OverrideOwner ?? "",
            EmergencyStopped = loop.Control.EmergencyStopped,
            Recording = loop.Control.Recording ? session.RecordingPath is { Length: > 0 } path ? path : "(started with the run)" : "",
            Episode = loop.Episode,
            LatenessP50Us = lateness.P50,
            LatenessP99Us = lateness.P99,
            TelemetrySubscribers = (uint)session.TelemetrySubscribers,
        };
        if (loop.Hardware is ConfiguredRobot configured)
        {
            foreach (var device in configured.Devices)
            {
                var entry = new DeviceStatus { Name = device.Name };
                foreach (var (name, value) in device.Counters)
                {
                    entry.Counters[name] = value;
                }
                status.Devices.Add(entry);
            }
        }
        status.ObservationNames.AddRange(robot.Observations.Select(o => o.Name));
        status.ActionNames.AddRange(robot.Actions.Select(a => a.Name));
        if (loop.Policy is { } policy)
        {
            status.Model = new ModelInfo
            {
                Path = policy.Path,
                Kind = policy.Metadata.IsCategorical ? "categorical" : "gaussian",
                HelpThreshold = policy.Metadata.HelpThreshold,
            };
        }
        return Task.FromResult(status);
    }

    public override async Task Events(EventsRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context)
    {
        using var subscription = session.Events.Subscribe();
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(new Event
                {
                    TimestampNs = (ulong)e.TimestampNs,
                    Kind = e.Kind.ToProto(),
                    Episode = e.Episode,
                    EpisodeTick = e.Tick,
                    Text = e.Kind == LoopEventKind.ModeChanged ? $"{e.Text}: {e.Mode.ToString().ToLowerInvariant()}" : e.Text,
                    Outcome = e.Outcome,
                    Uncertainty = e.Uncertainty,
                    ObservationZ = e.ObservationZ,
                    Dropped = (ulong)subscription.Dropped,
                }, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static Fault ReadFault(ControlLoop loop)
    {
        var snapshot = loop.Telemetry.CreateSnapshot();
        long last = loop.Telemetry.Published - 1;
        return last >= 0 && loop.Telemetry.TryRead(last, snapshot) == RingRead.Ok ? snapshot.Fault.ToProto() : Fault.None;
    }

    /// <summary>
    /// Fills the stream's one frame with a tick. The frame is reused (its lists keep their capacity): after
    /// WriteAsync returns it has been serialized, and at 1 kHz a new frame per tick per subscriber would be the
    /// server's main source of garbage, and so of collections that pause the loop thread too.
    /// </summary>
    private static void Fill(TelemetryFrame frame, TickSnapshot tick, HashSet<TelemetryField> fields, ulong dropped)
    {
        frame.TimestampNs = (ulong)tick.TimestampNs;
        frame.Tick = (ulong)tick.Tick;
        frame.Episode = tick.Episode;
        frame.EpisodeTick = tick.EpisodeTick;
        frame.Mode = tick.Mode.ToProto();
        frame.Source = tick.Source;
        frame.Flags = (uint)tick.Flags;
        frame.Fault = tick.Fault.ToProto();
        frame.Dropped = dropped;
        bool timing = fields.Contains(TelemetryField.Timing);
        frame.LatenessNs = timing ? tick.LatenessNs : 0;
        frame.WorkNs = timing ? tick.WorkNs : 0;
        Copy(frame.Observation, fields.Contains(TelemetryField.Observation) ? tick.Observation : []);
        Copy(frame.Action, fields.Contains(TelemetryField.Action) ? tick.Action : []);
        frame.PolicyMean.Clear();
        frame.PolicyStd.Clear();
        frame.PolicyLogits.Clear();
        if (fields.Contains(TelemetryField.Policy) && tick.PolicyRan)
        {
            int actions = tick.Action.Length;
            if (tick.PolicyOutputs.Length == 2 * actions)
            {
                // A Gaussian head's outputs are μ then log σ; operators read σ.
                Copy(frame.PolicyMean, tick.PolicyOutputs.AsSpan(0, actions));
                foreach (float logStd in tick.PolicyOutputs.AsSpan(actions))
                {
                    frame.PolicyStd.Add(MathF.Exp(logStd));
                }
            }
            else
            {
                Copy(frame.PolicyLogits, tick.PolicyOutputs);
            }
        }
    }

    private static void Copy(Google.Protobuf.Collections.RepeatedField<float> to, ReadOnlySpan<float> from)
    {
        to.Clear();
        foreach (float value in from)
        {
            to.Add(value);
        }
    }
}
