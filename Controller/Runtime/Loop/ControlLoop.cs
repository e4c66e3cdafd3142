using System.Runtime;
using Robotics.Controller.Policy;
using Robotics.Controller.Timing;
using Robotics.Hardware.Robots;
using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Controller.Loop;

/// <summary>
/// The fixed-rate control loop, on a thread of its own at absolute deadlines of the monotonic clock. Each
/// tick: take control requests → read the observation → run the policy → arbitrate (e-stop, override operator,
/// the mode's driver, help pause) → safety → write the action → hand the tick to the recorder and the telemetry
/// ring. Overruns are counted and missed deadlines skipped, never bunched. Everything a tick touches is
/// allocated before the first one: in steady state a tick allocates nothing.
/// </summary>
public sealed class ControlLoop : IDisposable
{
    // The first ticks pay one-time costs (JIT compilation of the tick path, ONNX Runtime's first run): they
    // are left out of the latency histograms, which describe the steady state.
    private const int UntimedTicks = 10;

    private readonly IRobotHardware _hardware;
    private readonly IEpisodicTask? _task;
    private readonly PolicyRunner? _policy;
    private readonly ActionSelector? _selector;
    private readonly HelpMonitor? _help;
    private readonly IOperator? _operator;
    private readonly EpisodeInfo _episodeInfo;
    private readonly LoopOptions _options;
    private readonly SafetyLayer _safety;
    private readonly float[] _observation;
    private readonly float[] _command;
    private readonly float[] _applied;
    private readonly float[] _policyOutputs;
    private readonly Thread _thread;
    private readonly List<string> _notes = [];
    private readonly long _staleAfterNs;
    private TeleopLogWriter? _recorder;
    private ControlMode _mode;
    private volatile bool _stopRequested;
    private Watchdog? _watchdog;
    private ulong _episode;
    private ulong _episodeTick;
    private bool _episodeOpen;
    private bool _overrideStale;
    private bool _overrideWasHeld;
    private bool _emergencyStopped;
    private long _seenStopLatches;
    // A release or a cleared fault lets the devices out of their safe state, but only on a tick that has read
    // the robot and found no stop and no fault: resuming earlier could let a device thread send for a moment
    // while a stop input is still held or a sensor still stale.
    private bool _resumePending;
    private long _allocatedBase;
    private long _allocatedEnd;
    private long _measuredTicks;
    private long _startNs;
    private long _endNs;
    private int _collectionsAtStart;
    private int _collectionsAtEnd;
    private Exception? _failure;

    /// <param name="policy">Required in autonomous and shadow modes.</param>
    /// <param name="operator">The local operator (a simulator's scripted expert), needed in teleop and shadow modes unless a remote operator takes the lease.</param>
    /// <param name="recorder">Records every tick, when given; the loop opens and closes episodes in it.</param>
    public ControlLoop(IRobotHardware hardware, LoopOptions options, PolicyRunner? policy = null, IOperator? @operator = null, TeleopLogWriter? recorder = null,
        bool remoteOperators = false)
    {
        options.Validate();
        if (options.Mode != ControlMode.Teleop && policy is null)
        {
            throw new ArgumentException($"--mode {options.Mode.ToString().ToLowerInvariant()} needs a policy (--policy)");
        }
        if (options.Mode != ControlMode.Autonomous && @operator is null && !remoteOperators)
        {
            throw new ArgumentException($"--mode {options.Mode.ToString().ToLowerInvariant()} needs an operator: a simulator's scripted expert, or a remote one (--grpc)");
        }
        if (policy is not null)
        {
            PolicyFit.Check(policy.Metadata, hardware.Description, options.CheckPolicyRate ? options.RateHz : policy.Metadata.ControlRateHz, policy.Path);
            _selector = new ActionSelector(policy, options.Stochastic, (ulong)options.Seed);
            _help = options.Help is null ? null : new HelpMonitor(policy, options.Help);
        }
        _hardware = hardware;
        _task = hardware as IEpisodicTask;
        _policy = policy;
        _operator = @operator;
        _recorder = recorder;
        _options = options;
        _mode = options.Mode;
        var robot = hardware.Description;
        _safety = new SafetyLayer(robot, options.RateHz);
        _observation = new float[robot.Observations.Count];
        _command = new float[robot.Actions.Count];
        _applied = new float[robot.Actions.Count];
        int policyOutputs = policy is null ? 0 : policy.Metadata.IsCategorical ? policy.Logits.Length : 2 * policy.Mean.Length;
        _policyOutputs = new float[policyOutputs];
        _staleAfterNs = options.OverrideStaleAfter.Ticks * 100;
        string driver = options.Mode == ControlMode.Autonomous ? "policy " + Path.GetFileName(policy!.Path) : @operator?.Name ?? "remote operator";
        _episodeInfo = robot.ToEpisodeInfo(options.RateHz, _task?.TaskDescription ?? "", driver);
        Control = new LoopControl(robot.Actions.Count);
        Control.ReportMode(_mode);
        Control.ReportRecording(recorder is not null);
        Telemetry = new TelemetryRing(options.TelemetryCapacity, robot.Observations.Count, robot.Actions.Count, policyOutputs);
        _thread = new Thread(Run) { Name = "control-loop", IsBackground = true };
    }

    public LoopStatistics Statistics { get; } = new();

    /// <summary>Episode boundaries, faults, help requests and mode changes, for the event hub.</summary>
    public SpscRing<LoopEvent> Events { get; } = new(1024);

    /// <summary>Requests to the loop and what it reports back, for the control plane.</summary>
    public LoopControl Control { get; }

    /// <summary>Every tick, for telemetry readers.</summary>
    public TelemetryRing Telemetry { get; }

    public IRobotHardware Hardware => _hardware;

    public PolicyRunner? Policy => _policy;

    public LoopOptions Options => _options;

    /// <summary>One line per thing the loop could not do as asked (real-time priority refused, say).</summary>
    public IReadOnlyList<string> Notes => _notes;

    public bool IsRunning => _thread.IsAlive;

    /// <summary>The current episode's number (from 1).</summary>
    public ulong Episode => Volatile.Read(ref _episode);

    /// <summary>When the loop started (monotonic ns), 0 before.</summary>
    public long StartedAtNs => Volatile.Read(ref _startNs);

    /// <summary>Starts the loop thread.</summary>
    public void Start()
    {
        _watchdog = new Watchdog(() => Statistics.Ticks, _hardware, _options.EffectiveWatchdogTimeout);
        _thread.Start();
    }

    /// <summary>Asks the loop to stop after the current tick; safe from any thread.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Waits for the loop to finish (limits reached or stop requested) and returns its figures.</summary>
    public LoopReport WaitForExit()
    {
        _thread.Join();
        _watchdog?.Dispose();
        if (_failure is not null)
        {
            // The loop's own exception (a driver's IOException, say), with its stack, rather than a wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
        }
        double seconds = (_endNs - _startNs) / 1e9;
        var s = Statistics;
        return new LoopReport(
            s.Ticks, seconds, seconds > 0 ? s.Ticks / seconds : 0, s.Episodes, s.Successes, s.Failures, s.Aborted,
            s.Overruns, s.SkippedSlots, s.Faults, _watchdog?.Trips ?? 0,
            s.Lateness.Summarize(), s.Read.Summarize(), s.Inference.Summarize(), s.Work.Summarize(),
            _measuredTicks > 0 ? (double)(_allocatedEnd - _allocatedBase) / _measuredTicks : double.NaN,
            _recorder?.DroppedSteps ?? 0, _collectionsAtEnd - _collectionsAtStart, _notes);
    }

    public void Dispose()
    {
        RequestStop();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
        _watchdog?.Dispose();
    }

    private void Run()
    {
        var previousLatency = GCSettings.LatencyMode;
        using var wakeLatency = _options.Realtime && _options.Paced ? CpuWakeLatency.RequestZero() : null;
        if (wakeLatency?.Refused is string refused)
        {
            _notes.Add(refused);
        }
        try
        {
            PrepareThread();
            // Sustained low latency: the runtime avoids blocking gen-2 collections while the loop runs.
            GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
            _hardware.Start();
            Volatile.Write(ref _startNs, MonotonicClock.NowNs());
            _collectionsAtStart = GC.CollectionCount(0);
            BeginEpisode(_startNs);
            RunTicks();
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            _endNs = MonotonicClock.NowNs();
            _collectionsAtEnd = GC.CollectionCount(0);
            _allocatedEnd = GC.GetAllocatedBytesForCurrentThread();
            _measuredTicks = Statistics.Ticks - _options.WarmupTicks;
            _watchdog?.Disarm();
            if (_episodeOpen)
            {
                EndEpisode(_endNs, EpisodeOutcome.Aborted, "stopped");
            }
            _hardware.Stop();
            GCSettings.LatencyMode = previousLatency;
        }
    }

    private void RunTicks()
    {
        long period = (long)(1e9 / (_options.RateHz * _options.TimeScale));
        long spin = _options.Spin.Ticks * 100;
        long deadline = MonotonicClock.NowNs() + period;
        long stopAt = _options.Duration is { } duration ? _startNs + duration.Ticks * 100 : long.MaxValue;
        bool late = false;
        while (!_stopRequested)
        {
            long lateness = 0;
            if (_options.Paced)
            {
                WaitFor(deadline, spin);
                lateness = MonotonicClock.NowNs() - deadline;
                if (Statistics.Ticks >= UntimedTicks)
                {
                    Statistics.Lateness.Record(lateness);
                }
            }
            if (Statistics.Ticks == _options.WarmupTicks)
            {
                _allocatedBase = GC.GetAllocatedBytesForCurrentThread();
            }
            bool episodeDone = Tick(lateness, late);
            Statistics.CountTick();
            long now = MonotonicClock.NowNs();
            if (episodeDone && _options.MaxEpisodes > 0 && Statistics.Episodes >= _options.MaxEpisodes)
            {
                break;
            }
            if (now >= stopAt)
            {
                break;
            }
            deadline += period;
            late = _options.Paced && now > deadline;
            if (late)
            {
                // Skip every deadline already passed: the next tick starts on the grid, not in a burst.
                long missed = (now - deadline) / period + 1;
                Statistics.CountOverrun(missed);
                deadline += missed * period;
            }
        }
    }

    /// <summary>One tick; returns true when it ended an episode.</summary>
    private bool Tick(long lateness, bool afterOverrun)
    {
        long start = MonotonicClock.NowNs();
        TakeControlRequests(start);
        var status = _hardware.Read(_observation, start, out int faultIndex);
        bool timed = Statistics.Ticks >= UntimedTicks;
        if (timed)
        {
            Statistics.Read.Record(MonotonicClock.NowNs() - start);
        }
        if (status == ReadStatus.StaleSensor)
        {
            LatchFault(FaultKind.StaleSensor, faultIndex, start);
        }
        else if (status == ReadStatus.EmergencyStop && !_emergencyStopped)
        {
            LatchEmergencyStopInput(faultIndex, start);
        }
        Control.ReportStopInput(status == ReadStatus.EmergencyStop);
        for (int i = 0; i < _observation.Length; i++)
        {
            if (!float.IsFinite(_observation[i]))
            {
                LatchFault(FaultKind.NonFiniteObservation, i, start);
                break;
            }
        }

        long inference = 0;
        bool overriding = Control.OverrideHeld && !_emergencyStopped;
        bool policyRan = _policy is not null && _mode != ControlMode.Teleop;
        var flags = StepFlag.None;
        if (policyRan)
        {
            inference = _policy!.Infer(_observation);
            if (timed)
            {
                Statistics.Inference.Record(inference);
            }
            if (_help is not null && _help.Observe(_observation))
            {
                Events.TryWrite(new LoopEvent(LoopEventKind.HelpRequested, start, _episode, _episodeTick, Text: "the robot asks for help",
                    Uncertainty: _help.LastUncertainty, ObservationZ: _help.LastObservationZ));
            }
            if (_help?.Requesting == true)
            {
                flags |= StepFlag.HelpRequested;
            }
        }

        long appliedSequence = -1;
        var source = Arbitrate(start, overriding, ref flags, ref appliedSequence);

        bool wasFaulted = _safety.Fault != FaultKind.None;
        flags |= _safety.Apply(_command, _applied);
        if (!wasFaulted && _safety.Fault != FaultKind.None)
        {
            ReportFault(_safety.Fault, _safety.FaultIndex, start);
        }
        if (_safety.Fault != FaultKind.None)
        {
            source = ActionSource.Safety;
        }
        else if (_resumePending && !_emergencyStopped)
        {
            _resumePending = false;
            ResumeUnlessWatchdogTripped();
        }
        _hardware.Write(_applied, MonotonicClock.NowNs());
        long written = MonotonicClock.NowNs();
        long work = written - start;
        if (timed)
        {
            Statistics.Work.Record(work);
        }
        if (appliedSequence >= 0 && source != ActionSource.Safety)
        {
            Control.ReportApplied(appliedSequence, Statistics.Ticks, written, _applied);
        }
        if (afterOverrun)
        {
            flags |= StepFlag.DeadlineOverrun;
        }
        HandOff(start, source, flags, policyRan, lateness, inference, work);
        _episodeTick++;
        return FinishEpisodeIfDone(MonotonicClock.NowNs());
    }

    /// <summary>
    /// A stop input on the robot (a button, a bumper) latches the same stop as a remote operator's, from this
    /// tick on; only an operator's release lifts it, and a release while the input is still active latches it again.
    /// </summary>
    private void LatchEmergencyStopInput(int input, long now)
    {
        // Halted before the stop shows anywhere: whoever sees the stop latched may rely on the devices being safe.
        _hardware.Halt();
        Control.LatchEmergencyStop();
        _seenStopLatches = Control.EmergencyStopLatches;
        _emergencyStopped = true;
        // Index: which of the config's emergency_stops entries, for the operator to find the button pressed.
        Events.TryWrite(new LoopEvent(LoopEventKind.EmergencyStop, now, _episode, _episodeTick, Index: input, Text: "emergency stop input active (or unreadable) on the robot"));
    }

    /// <summary>Chooses the command: e-stop, then the override operator, then the mode's driver, then a help pause.</summary>
    private ActionSource Arbitrate(long now, bool overriding, ref StepFlag flags, ref long appliedSequence)
    {
        if (_emergencyStopped)
        {
            _safety.WriteSafe(_command);
            return ActionSource.Safety;
        }
        if (overriding)
        {
            _overrideWasHeld = true;
            long received = Control.Commands.TryRead(_command, out long sequence);
            if (received == long.MinValue)
            {
                // The operator has the lease but has not commanded yet: hold the safe action, quietly.
                _safety.WriteSafe(_command);
                return ActionSource.Safety;
            }
            if (now - received <= _staleAfterNs)
            {
                SetStale(false, now);
                appliedSequence = sequence;
                _help?.Reset();
                if (_mode == ControlMode.Autonomous)
                {
                    flags |= StepFlag.Intervention;
                    return ActionSource.Override;
                }
                return ActionSource.Teleop;
            }
            SetStale(true, now);
            if (_options.Fallback == OverrideFallback.Policy && _policy is not null)
            {
                _selector!.Select(_command);
                return ActionSource.Policy;
            }
            _safety.WriteSafe(_command);
            return ActionSource.Safety;
        }
        if (_overrideWasHeld)
        {
            _overrideWasHeld = false;
            SetStale(false, now);
        }
        if (_mode == ControlMode.Autonomous)
        {
            if (_help is { Pauses: true, Requesting: true })
            {
                _safety.WriteSafe(_command);
                return ActionSource.Safety;
            }
            _selector!.Select(_command);
            return ActionSource.Policy;
        }
        if (_operator is not null && _operator.TryAct(_observation, _command))
        {
            return ActionSource.Teleop;
        }
        _safety.WriteSafe(_command);
        return ActionSource.Safety;
    }

    private void SetStale(bool stale, long now)
    {
        if (stale == _overrideStale)
        {
            return;
        }
        _overrideStale = stale;
        Control.ReportStale(stale);
        if (stale)
        {
            Events.TryWrite(new LoopEvent(LoopEventKind.OverrideStale, now, _episode, _episodeTick, Text: "override commands went stale"));
        }
    }

    /// <summary>Applies what the control plane asked for since the last tick. Rare, bounded, no I/O.</summary>
    private void TakeControlRequests(long now)
    {
        bool stopped = Control.EmergencyStopped;
        long latches = Control.EmergencyStopLatches;
        // Released since the last tick, including a stop latched and released between two ticks.
        bool released = !stopped && (_emergencyStopped || latches != _seenStopLatches);
        _seenStopLatches = latches;
        _emergencyStopped = stopped;
        if (released)
        {
            _safety.ClearFault();
            _resumePending = true;
        }
        if (_emergencyStopped)
        {
            // Every tick, not once: whoever latched the stop (an operator, a stop input) and whatever thread
            // resumed a device since, the devices stay in their safe state while the stop holds. A flag write each.
            _hardware.Halt();
        }
        if (Control.TakeModeRequest(out var mode) && mode != _mode)
        {
            if (mode != ControlMode.Teleop && _policy is null)
            {
                Events.TryWrite(new LoopEvent(LoopEventKind.ModeChanged, now, _episode, _episodeTick, Text: "refused: no policy loaded", Mode: _mode));
            }
            else
            {
                _mode = mode;
                Control.ReportMode(mode);
                _help?.Reset();
                Events.TryWrite(new LoopEvent(LoopEventKind.ModeChanged, now, _episode, _episodeTick, Text: "mode changed", Mode: mode));
            }
        }
        if (Control.TakeOfferedRecorder() is TeleopLogWriter offered)
        {
            if (_recorder is not null)
            {
                Control.Retire(offered);
            }
            else
            {
                _recorder = offered;
                _recorder.TryBeginEpisode(_episode, now, _episodeInfo);
                Control.ReportRecording(true);
                Events.TryWrite(new LoopEvent(LoopEventKind.RecordingStarted, now, _episode, _episodeTick, Text: "recording started"));
            }
        }
        if (Control.TakeRecordingStopRequest() && _recorder is not null)
        {
            _recorder.TryEndEpisode(_episode, now, EpisodeOutcome.Aborted, "recording stopped");
            Control.Retire(_recorder);
            _recorder = null;
            Control.ReportRecording(false);
            Events.TryWrite(new LoopEvent(LoopEventKind.RecordingStopped, now, _episode, _episodeTick, Text: "recording stopped"));
        }
        if (Control.TakeResetRequest())
        {
            EndEpisode(now, EpisodeOutcome.Aborted, "operator reset");
            _task?.ResetEpisode();
            ClearFault();
            _help?.Reset();
            BeginEpisode(now);
        }
    }

    private void HandOff(long timestamp, ActionSource source, StepFlag flags, bool policyRan, long lateness, long inference, long work)
    {
        bool categorical = _policy?.Metadata.IsCategorical == true;
        var outputs = ReadOnlySpan<float>.Empty;
        if (policyRan)
        {
            if (categorical)
            {
                _policy!.Logits.CopyTo(_policyOutputs, 0);
            }
            else
            {
                _policy!.Mean.CopyTo(_policyOutputs, 0);
                _policy.LogStd.CopyTo(_policyOutputs, _policy.Mean.Length);
            }
            outputs = _policyOutputs;
        }
        Telemetry.Write(timestamp, _episode, _episodeTick, _mode, source, flags, _safety.Fault, Saturate(lateness), Saturate(work), _observation, _applied, outputs);
        if (!_options.Paced)
        {
            // No deadline to keep: wait for the writer rather than drop what it has not caught up with, but never
            // past a stop request (a writer stuck on a full disk must not hold the loop). SpinWait spins, then yields.
            var wait = default(SpinWait);
            while (_recorder is { HasRoomForStep: false } && !_stopRequested)
            {
                wait.SpinOnce();
            }
        }
        _recorder?.TryAppend(new StepRecord
        {
            TimestampNs = timestamp,
            EpisodeId = _episode,
            Tick = _episodeTick,
            Observation = _observation,
            Action = _applied,
            Source = source,
            PolicyMean = policyRan && !categorical ? _policy!.Mean : default,
            PolicyLogStd = policyRan && !categorical ? _policy!.LogStd : default,
            PolicyLogits = policyRan && categorical ? _policy!.Logits : default,
            Flags = flags,
            LatenessNs = Saturate(lateness),
            InferenceNs = Saturate(inference),
            WorkNs = Saturate(work),
        });
    }

    /// <summary>Ends the episode when the task says so, or on a fault a task can reset from; starts the next.</summary>
    private bool FinishEpisodeIfDone(long now)
    {
        if (_task is null)
        {
            return false;
        }
        EpisodeOutcome outcome;
        string reason;
        if (_safety.Fault != FaultKind.None)
        {
            (outcome, reason) = (EpisodeOutcome.Aborted, FaultText(_safety.Fault));
        }
        else
        {
            var status = _task.Evaluate(out reason);
            if (status == EpisodeStatus.Running)
            {
                return false;
            }
            outcome = status == EpisodeStatus.Success ? EpisodeOutcome.Success : EpisodeOutcome.Failure;
        }
        EndEpisode(now, outcome, reason);
        bool more = _options.MaxEpisodes == 0 || Statistics.Episodes < _options.MaxEpisodes;
        if (more && !_stopRequested)
        {
            _task.ResetEpisode();
            ClearFault();
            _help?.Reset();
            BeginEpisode(now);
        }
        return true;
    }

    private void BeginEpisode(long now)
    {
        Volatile.Write(ref _episode, _episode + 1);
        _episodeTick = 0;
        _episodeOpen = true;
        _recorder?.TryBeginEpisode(_episode, now, _episodeInfo);
        Events.TryWrite(new LoopEvent(LoopEventKind.EpisodeStarted, now, _episode, 0));
    }

    private void EndEpisode(long now, EpisodeOutcome outcome, string reason)
    {
        _episodeOpen = false;
        Statistics.CountEpisode(outcome);
        _recorder?.TryEndEpisode(_episode, now, outcome, reason);
        Events.TryWrite(new LoopEvent(LoopEventKind.EpisodeEnded, now, _episode, _episodeTick, outcome, Text: reason));
    }

    /// <summary>
    /// Clears a latched fault (a new episode, an operator's reset); the devices leave the safe state it put them
    /// in on the first tick that finds no stop and no fault, unless the watchdog halted them.
    /// </summary>
    private void ClearFault()
    {
        if (_safety.Fault != FaultKind.None)
        {
            _safety.ClearFault();
            _resumePending = true;
        }
    }

    /// <summary>The loop alone resumes devices; a watchdog trip keeps them halted until the controller restarts.</summary>
    private void ResumeUnlessWatchdogTripped()
    {
        if ((_watchdog?.Trips ?? 0) == 0)
        {
            _hardware.Resume();
        }
    }

    private void LatchFault(FaultKind fault, int index, long now)
    {
        if (_safety.Latch(fault, index))
        {
            ReportFault(fault, index, now);
        }
    }

    /// <summary>
    /// A fault sends the safe action and also halts the devices (servo torque off, PWM at its safe pulse): the
    /// robot's own safe state does not depend on the safe action reaching it over a bus that may be the fault.
    /// </summary>
    private void ReportFault(FaultKind fault, int index, long now)
    {
        _hardware.Halt();
        Statistics.CountFault();
        Events.TryWrite(new LoopEvent(LoopEventKind.Fault, now, _episode, _episodeTick, Fault: fault, Index: index, Text: FaultText(fault)));
    }

    private static string FaultText(FaultKind fault) => fault switch
    {
        FaultKind.StaleSensor => "fault: stale sensor",
        FaultKind.NonFiniteObservation => "fault: sensor returned NaN or infinity",
        FaultKind.NonFiniteAction => "fault: commanded NaN or infinity",
        _ => "fault",
    };

    private void PrepareThread()
    {
        if (_options.Paced && RealtimeThread.TrySetMinimalTimerSlack() is string slack)
        {
            _notes.Add(slack);
        }
        if (!_options.Realtime)
        {
            return;
        }
        if (RealtimeThread.TrySetFifo(_options.Priority) is string refused)
        {
            _notes.Add(refused);
        }
        int cpu = _options.Cpu ?? RealtimeThread.LastAllowedCpu();
        if (RealtimeThread.TryPin(cpu) is string unpinned)
        {
            _notes.Add(unpinned);
        }
        else if (RealtimeThread.TryKeepOtherThreadsOff(cpu) is string shared)
        {
            _notes.Add(shared);
        }
    }

    /// <summary>Sleeps to <paramref name="spin"/> before the deadline, then spins the rest (when asked to).</summary>
    private static void WaitFor(long deadline, long spin)
    {
        if (spin <= 0)
        {
            AbsoluteSleeper.SleepUntil(deadline);
            return;
        }
        if (deadline - spin > MonotonicClock.NowNs())
        {
            AbsoluteSleeper.SleepUntil(deadline - spin);
        }
        while (MonotonicClock.NowNs() < deadline)
        {
            Thread.SpinWait(20);
        }
    }

    private static uint Saturate(long nanoseconds) => (uint)Math.Clamp(nanoseconds, 0, uint.MaxValue);
}
