using Grpc.Core;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy.Heads;
using Robotics.Controller.Ticks;
using Robotics.Hardware.Config;
using Robotics.Protos;
using Robotics.Protos.Control;
using Robotics.Protos.Log;
using RobotStatus = Robotics.Protos.Control.Status;
using Status = Grpc.Core.Status;

namespace Robotics.Controller.Remote;

/// <summary>
/// Telemetry: each stream reads the loop's tick ring at its own <see cref="TickCursor"/>, which is the subscriber's
/// bounded, drop-oldest queue: a subscriber that reads (or whose network drains) slower than the loop ticks finds
/// its next ticks overwritten, skips to the oldest still held, and counts what it lost in every frame. The policy's
/// outputs are written by the head the record names.
/// </summary>
public sealed class TelemetryService(RobotSession session) : Protos.Control.Telemetry.TelemetryBase
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
        var ring = session.Loop.Ticks;
        var fields = request.Fields.Count == 0 ? AllFields : [.. request.Fields];
        long decimation = Math.Max(1, request.Decimation);
        long minimumGapNs = request.MaxRateHz > 0 ? (long)(1e9 / request.MaxRateHz) : 0;
        long lastSentNs = long.MinValue;
        var cursor = new TickCursor(ring, ring.Published);
        var frame = new TelemetryFrame();
        session.CountSubscriber(+1);
        try
        {
            using var timer = new PeriodicTimer(PollInterval);
            while (!context.CancellationToken.IsCancellationRequested)
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
        var now = loop.Status.Read();
        var statistics = loop.Statistics;
        long started = loop.StartedAtNs;
        double uptime = started == 0 ? 0 : (MonotonicClock.NowNs() - started) / 1e9;
        var lateness = statistics.Lateness.Summarize().InMicroseconds();
        var robot = loop.Hardware.Description;
        var recording = session.Plane.Recording;
        var failure = recording?.Failure;
        var status = new RobotStatus
        {
            Robot = robot.Name,
            Mode = now.Mode.ToProto(),
            NominalRateHz = loop.Options.RateHz,
            AchievedRateHz = uptime > 0 ? now.Ticks / uptime : 0,
            Ticks = (ulong)now.Ticks,
            Overruns = (ulong)statistics.Overruns,
            UptimeS = uptime,
            Fault = now.Fault.ToProto(),
            OverrideOwner = session.OverrideOwner ?? "",
            EmergencyStopped = loop.Mailbox.StopLatched,
            Recording = session.Plane.RecordingPath,
            Episode = now.Episode,
            LatenessP50Us = lateness.P50,
            LatenessP99Us = lateness.P99,
            TelemetrySubscribers = (uint)session.TelemetrySubscribers,
            RecordingFailed = failure is not null,
            RecordingStepsKept = (ulong)(failure?.StepsKept ?? 0),
            RecordingStepsDropped = (ulong)(recording?.StepsDroppedByFailure ?? 0),
            RecordingError = failure?.Error ?? "",
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
                Kind = policy.Head.MetadataName,
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
        if (fields.Contains(TelemetryField.Policy) && tick.Head != HeadKind.None)
        {
            PolicyHeads.Of(tick.Head).WriteTelemetry(cursor.HeadOutputs, frame);
        }
        else
        {
            frame.ClearPolicy();
        }
    }
}
