using System.Reflection;
using Prometheus;
using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Safety;
using Robotics.Controller.Shared;
using Robotics.Controller.Ticks;
using Robotics.Protos.Log;
using RobotStatus = Robotics.Protos.Control.Status;

namespace Robotics.Controller.Gateway.Metrics;

/// <summary>
/// The robot's metrics for a fleet's Prometheus, in its own registry (the gateway process's runtime metrics are not the
/// robot's). Everything comes from what the loop process already publishes over the link: each tick's timing from the
/// tick ring and each event from the event ring (<see cref="MetricsPump"/>), the counters the loop keeps from its status
/// at scrape time. The loop does no work for them. Every series carries the robot's name as the label <c>robot</c>.
/// </summary>
public sealed class RobotMetrics
{
    // Lateness and tick work: 10 µs (a quiet PREEMPT_RT core) to 50 ms (a stall the watchdog would catch).
    private static readonly double[] TickBuckets = [10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 50e-3];

    // Inference: a behavioral-cloning MLP takes microseconds on a Pi; a large one milliseconds.
    private static readonly double[] InferenceBuckets = [5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 10e-3];

    private readonly GatewayLink _link;
    private readonly GatewaySession _session;
    private readonly double _periodS;
    private readonly Histogram _lateness;
    private readonly Histogram _inference;
    private readonly Histogram _work;
    private readonly Counter _unobserved;
    private readonly Counter _overrideSeconds;
    private readonly Counter _helpRequests;
    private readonly Counter _faults;
    private readonly Counter _episodes;
    private readonly Counter _ticks;
    private readonly Counter _overruns;
    private readonly Counter _watchdogTrips;
    private readonly Counter _recorderDropped;
    private readonly Counter _rejectedCommands;
    private readonly Counter _rejectedRequests;
    private readonly Counter _deviceEvents;
    private readonly Gauge _mode;
    private readonly Gauge _faultLatched;
    private readonly Gauge _emergencyStopped;
    private readonly Gauge _subscribers;
    private readonly Gauge _resident;

    public RobotMetrics(GatewaySession session)
    {
        _session = session;
        _link = session.Link;
        var robot = _link.Descriptor;
        _periodS = 1 / robot.RateHz;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Registry.SetStaticLabels(new Dictionary<string, string> { ["robot"] = robot.Robot });
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        // The controller's version (the entry assembly: `controller`, whose version the package carries).
        string version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        factory.CreateGauge("robot_build_info", "The controller's build.", "version").WithLabels(version).Set(1);
        if (robot.Model is { } model)
        {
            factory.CreateGauge("robot_model_info", "The policy the loop runs (no series without one).", "path", "kind", "dataset_fingerprint")
                .WithLabels(model.Path, model.Kind, model.DatasetFingerprint).Set(1);
            factory.CreateGauge("robot_model_help_threshold", "The policy uncertainty above which the robot asks for help.").Set(model.HelpThreshold);
        }
        factory.CreateGauge("robot_loop_rate_hz", "The loop's nominal rate.").Set(robot.RateHz);

        _lateness = factory.CreateHistogram("robot_loop_lateness_seconds", "How late each tick woke after its deadline.", new HistogramConfiguration { Buckets = TickBuckets });
        _work = factory.CreateHistogram("robot_loop_work_seconds", "Each tick's work: read, infer, arbitrate, make safe, write.", new HistogramConfiguration { Buckets = TickBuckets });
        _inference = factory.CreateHistogram("robot_loop_inference_seconds", "The policy's inference, on ticks where it ran.", new HistogramConfiguration { Buckets = InferenceBuckets });
        _unobserved = factory.CreateCounter("robot_loop_unobserved_ticks_total", "Ticks the metrics reader fell too far behind to see: not in the histograms (the loop counts them in robot_loop_ticks_total).");
        _overrideSeconds = factory.CreateCounter("robot_override_seconds_total", "Time a remote operator's commands drove the robot.");
        _helpRequests = factory.CreateCounter("robot_help_requests_total", "Times the robot asked an operator for help.");
        _faults = factory.CreateCounter("robot_faults_total", "Faults latched (the robot was sent its safe action), by kind.", "kind");
        _episodes = factory.CreateCounter("robot_episodes_total", "Episodes ended, by outcome.", "outcome");
        _ticks = factory.CreateCounter("robot_loop_ticks_total", "Ticks the loop has run.");
        _overruns = factory.CreateCounter("robot_loop_overruns_total", "Ticks whose work ran past the next deadline.");
        _watchdogTrips = factory.CreateCounter("robot_watchdog_trips_total", "Stalls the loop's watchdog caught and halted the actuators for.");
        _recorderDropped = factory.CreateCounter("robot_recorder_dropped_steps_total", "Steps not recorded: the recorder fell behind (overrun), or its log failed (failure).", "reason");
        _rejectedCommands = factory.CreateCounter("robot_rejected_commands_total", "Operator commands the loop refused (out of the rules, non-finite, another lease's).");
        _rejectedRequests = factory.CreateCounter("robot_rejected_requests_total", "Requests from the gateway the loop could not read.");
        _deviceEvents = factory.CreateCounter("robot_device_events_total", "Each device's own counters (polls, errors, retries, reopens... as the driver names them).", "device", "counter");
        _mode = factory.CreateGauge("robot_mode", "1 for the loop's current mode.", "mode");
        _faultLatched = factory.CreateGauge("robot_fault_latched", "1 while a fault holds the robot in its safe action.");
        _emergencyStopped = factory.CreateGauge("robot_emergency_stopped", "1 while the emergency stop is latched.");
        _subscribers = factory.CreateGauge("robot_telemetry_subscribers", "Telemetry streams open.");
        _resident = factory.CreateGauge("robot_process_resident_bytes", "Resident memory of the loop's process and of the gateway's.", "process");
        Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>A tick the pump read from the ring.</summary>
    public void Observe(in TickHeader tick)
    {
        _lateness.Observe(tick.LatenessNs / 1e9);
        _work.Observe(tick.WorkNs / 1e9);
        if (tick.Head != HeadKind.None && tick.InferenceNs > 0)
        {
            _inference.Observe(tick.InferenceNs / 1e9);
        }
        if (tick.Source == ActionSource.Override)
        {
            _overrideSeconds.Inc(_periodS);
        }
    }

    /// <summary>Ticks the pump's cursor lost to the ring's overwriting.</summary>
    public void Unobserved(long ticks) => _unobserved.Inc(ticks);

    /// <summary>An event the pump read from the loop's event stream.</summary>
    public void Count(in LoopEvent e)
    {
        switch (e.Kind)
        {
            case LoopEventKind.HelpRequested:
                _helpRequests.Inc();
                break;
            case LoopEventKind.Fault:
                _faults.WithLabels(FaultName(e.Fault)).Inc();
                break;
            case LoopEventKind.EpisodeEnded:
                _episodes.WithLabels(e.Outcome switch
                {
                    EpisodeOutcome.Success => "success",
                    EpisodeOutcome.Failure => "failure",
                    _ => "aborted",
                }).Inc();
                break;
        }
    }

    /// <summary>The loop's counters, as of the scrape.</summary>
    private async Task RefreshAsync(CancellationToken cancellation)
    {
        var status = _link.ReadStatus();
        _ticks.IncTo(status.Ticks);
        _overruns.IncTo(status.Overruns);
        _watchdogTrips.IncTo(status.WatchdogTrips);
        _recorderDropped.WithLabels("overrun").IncTo(status.RecorderDroppedSteps);
        _recorderDropped.WithLabels("failure").IncTo(status.RecordingStepsDropped);
        _rejectedCommands.IncTo(status.RejectedCommands);
        _rejectedRequests.IncTo(status.RejectedRequests);
        foreach (var mode in Enum.GetValues<ControlMode>())
        {
            _mode.WithLabels(mode.ToString().ToLowerInvariant()).Set(status.Mode == (byte)mode ? 1 : 0);
        }
        _faultLatched.Set(status.Fault != (byte)FaultKind.None ? 1 : 0);
        _emergencyStopped.Set(status.Flags.HasFlag(LinkStatusBits.EmergencyStopped) ? 1 : 0);
        _subscribers.Set(_session.TelemetrySubscribers);
        _resident.WithLabels("gateway").Set(Environment.WorkingSet);
        if (ProcessStatus.ResidentBytes(_link.LoopPid) is long loop)
        {
            _resident.WithLabels("loop").Set(loop);
        }
        if (_link.Down.IsCancellationRequested)
        {
            return;
        }
        // Read in the loop process by its link thread when asked, as GetStatus does.
        var devices = await _link.AskAsync(LinkRequestKind.DeviceCounters).WaitAsync(cancellation);
        if (devices.Failure is null)
        {
            foreach (var device in RobotStatus.Parser.ParseFrom(devices.Data).Devices)
            {
                foreach (var (name, value) in device.Counters)
                {
                    _deviceEvents.WithLabels(device.Name, name).IncTo(value);
                }
            }
        }
    }

    private static string FaultName(FaultKind fault) => fault switch
    {
        FaultKind.StaleSensor => "stale_sensor",
        FaultKind.NonFiniteObservation => "non_finite_observation",
        FaultKind.NonFiniteAction => "non_finite_action",
        FaultKind.NonFinitePolicyOutput => "non_finite_policy_output",
        _ => "none",
    };
}
