using Robotics.Controller.Control;
using Robotics.Controller.Link;
using Robotics.Controller.Policy;
using Robotics.Controller.Recording;
using Robotics.Controller.Safety;
using Robotics.Controller.Shared;
using Robotics.Controller.Ticks;
using Robotics.Controller.Timing;
using Robotics.Hardware.Config;
using Robotics.Hardware.Robots;
using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Controller.Loop;

/// <summary>
/// The fixed-rate control loop, on a thread of its own. Each tick: read the robot → take the control plane's
/// request → infer → arbitrate → safety → write the actuators → publish the tick (one record in the tick ring, which
/// the recorder and every telemetry subscriber read at their own cursors) → end the episode if the task says so.
/// Pacing (<see cref="LoopPacer"/>), the stop/fault rules (<see cref="SafetySupervisor"/>), the choice of driver
/// (<see cref="Arbiter"/>) and the limits (<see cref="ActionLimiter"/>) live beside it. Everything a tick touches is
/// allocated before the first one: in steady state a tick allocates nothing and waits on nothing but its deadline.
/// </summary>
public sealed class ControlLoop : IDisposable
{
    // The first ticks pay one-time costs (JIT compilation of the tick path, ONNX Runtime's first run): they
    // are left out of the latency histograms, which describe the steady state.
    private const int UntimedTicks = 10;

    // How long the records written after the loop stops (its last episode's end) may wait for an unpaced loop's recorder.
    private static readonly long FinalRecordWaitNs = TimeSpan.FromSeconds(1).Ticks * 100;

    private readonly IRobotHardware _hardware;
    private readonly IEpisodicTask? _task;
    private readonly PolicyRunner? _policy;
    private readonly HelpMonitor? _help;
    private readonly LoopOptions _options;
    private readonly Arbiter _arbiter;
    private readonly ActionLimiter _limiter;
    private readonly StaleRecoveryWatch _staleRecovery;
    private readonly LoopPacer _pacer;
    private readonly TickRecorder? _recorder;
    private readonly float[] _observation;
    private readonly float[] _command;
    private readonly float[] _applied;
    private readonly EpisodeTracker _episodes;
    private readonly RunMeasurement _measurement;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _hardwareStarted = new();
    private readonly ManualResetEventSlim _ticksMayBegin = new();
    private readonly List<string> _notes = [];
    private int? _pinnedCpu;
    private ControlMode _mode;
    private SafetyState _safety = SafetyState.Initial;
    private bool _clearFault;
    private bool _stopInputActive;
    private volatile bool _stopRequested;
    private long _finalRecordDeadline;
    private Watchdog? _watchdog;
    private Exception? _failure;
    private RecordingAlarm.Raised? _recordingFailureSeen;

    /// <param name="policy">Required in autonomous and shadow modes.</param>
    /// <param name="operator">The local operator (a simulator's scripted expert), needed in teleop and shadow modes unless a remote operator takes the lease.</param>
    /// <param name="recorder">Records every tick from the first, when given (started with the loop; the caller stops it after the loop ends).</param>
    /// <param name="link">
    /// The segments shared with a gateway process (remote operators): the tick ring and the override cells are laid out
    /// there. Null: the loop keeps them in memory of its own, and nobody can take over.
    /// </param>
    public ControlLoop(IRobotHardware hardware, LoopOptions options, PolicyRunner? policy = null, IOperator? @operator = null, TickRecorder? recorder = null,
        LinkSegments? link = null)
    {
        options.Validate(hardware.Description, policy, hasOperator: @operator is not null || link is not null);
        var robot = hardware.Description;
        _help = policy is null || options.Help is null ? null : new HelpMonitor(policy, options.Help);
        _hardware = hardware;
        _task = hardware as IEpisodicTask;
        _policy = policy;
        _recorder = recorder;
        _options = options;
        _mode = options.Mode;
        var rules = new CommandRules(robot, options.RejectOutOfRange);
        Overrides = link is null ? new OperatorChannel(rules)
            : new OperatorChannel(rules, link.GatewayReader, link.Loop.Slice(link.Geometry.Applied, SharedCell.BytesFor<LinkApplied>(robot.Actions.Count)));
        _arbiter = new Arbiter(options, Overrides, policy, _help, @operator);
        _limiter = new ActionLimiter(robot, options.RateHz);
        _staleRecovery = new StaleRecoveryWatch(robot, hardware);
        _pacer = new LoopPacer(options, Statistics);
        _observation = new float[robot.Observations.Count];
        _command = new float[robot.Actions.Count];
        _applied = new float[robot.Actions.Count];
        string driver = options.Mode == ControlMode.Autonomous ? "policy " + Path.GetFileName(policy!.Path) : @operator?.Name ?? "remote operator";
        EpisodeInfo = robot.ToEpisodeInfo(options.RateHz, _task?.TaskDescription ?? "", driver);
        var layout = TickLayout.For(robot, policy);
        Ticks = link is null ? new TickRing(options.TickRingCapacity, layout)
            : new TickRing(link.Loop.Slice(link.Geometry.Ticks, TickRing.BytesFor(link.Geometry.TickCapacity, layout)), link.Geometry.TickCapacity, layout);
        _episodes = new EpisodeTracker(Ticks, EndReasons, Events, Statistics, WaitForRecorderIfUnpaced);
        _measurement = new RunMeasurement(options.WarmupTicks);
        RecordingAlarm = new RecordingAlarm(options.OnRecordingFailure);
        PublishStatus();
        _thread = new Thread(Run) { Name = "control-loop", IsBackground = true };
    }

    public LoopStatistics Statistics { get; } = new();

    /// <summary>Every tick, episode start and episode end, for the recorder and telemetry readers.</summary>
    public TickRing Ticks { get; }

    /// <summary>The texts behind the episode-end codes in <see cref="Ticks"/>.</summary>
    public EndReasons EndReasons { get; } = new();

    /// <summary>The holders of the override leases the steps in <see cref="Ticks"/> name.</summary>
    public OverrideOperators OverrideOperators { get; } = new();

    /// <summary>The robot and task each episode of this run records.</summary>
    public EpisodeInfo EpisodeInfo { get; }

    /// <summary>Episode boundaries, faults, help requests and mode changes, for the event hub.</summary>
    public SpscRing<LoopEvent> Events { get; } = new(1024);

    /// <summary>Where this loop's recorders (the run's, one started over gRPC) say they failed.</summary>
    public RecordingAlarm RecordingAlarm { get; }

    /// <summary>The run was stopped because its recording failed (<see cref="RecordingFailureAction.Stop"/>).</summary>
    public bool StoppedByRecordingFailure { get; private set; }

    /// <summary>The control plane's requests and the emergency stop's latch.</summary>
    public LoopMailbox Mailbox { get; } = new();

    /// <summary>The override operator's commands in, and what the loop applied out.</summary>
    public OperatorChannel Overrides { get; }

    /// <summary>What the loop published at the end of its latest tick.</summary>
    public SnapshotCell<LoopStatus> Status { get; } = new();

    public IRobotHardware Hardware => _hardware;

    public PolicyRunner? Policy => _policy;

    public LoopOptions Options => _options;

    /// <summary>One line per thing the loop or a device could not do as asked (real-time priority refused, a board without an output timeout).</summary>
    public IReadOnlyList<string> Notes => _notes;

    public bool IsRunning => _thread.IsAlive;

    /// <summary>When the loop started (monotonic ns), 0 before.</summary>
    public long StartedAtNs => _measurement.StartedAtNs;

    /// <summary>Stalls the watchdog has caught so far (an unpaced loop has none).</summary>
    public long WatchdogTrips => _watchdog?.Trips ?? 0;

    /// <summary>Starts the loop thread (and the recorder given at construction, from the first record).</summary>
    /// <summary>
    /// Starts the robot, on the loop thread (set up for real time, so the devices' threads inherit it), and once it
    /// runs, the recorder, the watchdog and the ticks. A robot that would not start throws here, with the robot
    /// stopped again, nothing recorded and no tick run: the caller can say so before it says the robot is running.
    /// </summary>
    public void Start()
    {
        _thread.Start();
        _hardwareStarted.Wait();
        if (_failure is not null)
        {
            _thread.Join();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
        }
        _recorder?.Start(Ticks, EndReasons, EpisodeInfo, start: 0, gateTheWriter: !_options.Paced, RecordingAlarm, OverrideOperators);
        // An unpaced loop is a simulation run as fast as it goes: with no deadline, a pause (waiting for its
        // recorder, a busy machine) is no stall, and a watchdog halting the simulator would only spoil the run.
        _watchdog = _options.Paced ? new Watchdog(() => Statistics.Ticks, _hardware, _options.EffectiveWatchdogTimeout) : null;
        _ticksMayBegin.Set();
    }

    /// <summary>Asks the loop to stop after the current tick; safe from any thread.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Waits up to <paramref name="patience"/> for the loop thread to end; true once it has (the figures: <see cref="WaitForExit()"/>).</summary>
    public bool WaitForEnd(TimeSpan patience) => _thread.Join(patience);

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
        return _measurement.Report(Statistics, _watchdog?.Trips ?? 0, _recorder?.DroppedSteps ?? 0, _notes, _pinnedCpu);
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
        using var setup = new LoopThreadSetup(_options, _notes);
        _pinnedCpu = setup.PinnedCpu;
        try
        {
            try
            {
                _hardware.Start();
            }
            catch (Exception e)
            {
                _failure = e;
                _hardwareStarted.Set();
                return;
            }
            _hardwareStarted.Set();
            _ticksMayBegin.Wait();
            if (_hardware is ConfiguredRobot configured)
            {
                // What a device could not do as asked (a board that applies no output timeout), for the command to show.
                _notes.AddRange(configured.Notes);
            }
            _measurement.Begin();
            _episodes.Begin(MonotonicClock.NowNs(), 0, _mode);
            RunTicks();
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            _measurement.End(Statistics.Ticks);
            _watchdog?.Disarm();
            // The last record waits for an unpaced loop's recorder like any other, but boundedly: a recorder stuck on
            // a disk must not keep a stopped loop from making the robot safe.
            _finalRecordDeadline = MonotonicClock.NowNs() + FinalRecordWaitNs;
            if (_episodes.Open)
            {
                _episodes.End(MonotonicClock.NowNs(), Statistics.Ticks, _mode, EpisodeOutcome.Aborted, EndReasons.Stopped);
            }
            _hardware.Stop();
        }
    }

    private void RunTicks()
    {
        long stopAt = _options.Duration is { } duration ? StartedAtNs + duration.Ticks * 100 : long.MaxValue;
        _pacer.Begin(MonotonicClock.NowNs());
        while (!_stopRequested)
        {
            long lateness = _pacer.WaitForTick();
            if (_options.Paced && Statistics.Ticks >= UntimedTicks)
            {
                Statistics.Lateness.Record(lateness);
            }
            _measurement.BeforeTick(Statistics.Ticks);
            bool episodeEnded = Tick(lateness, _pacer.Late);
            Statistics.CountTick();
            PublishStatus();
            long now = MonotonicClock.NowNs();
            if (NoticeRecordingFailure(now))
            {
                break;
            }
            if ((episodeEnded && _options.MaxEpisodes > 0 && Statistics.Episodes >= _options.MaxEpisodes) || now >= stopAt)
            {
                break;
            }
            _pacer.Advance(now);
        }
    }

    /// <summary>One tick; returns true when it ended an episode.</summary>
    private bool Tick(long lateness, bool afterOverrun)
    {
        long start = MonotonicClock.NowNs();
        var read = _hardware.Read(_observation, start, out int readIndex);
        _stopInputActive = read == ReadStatus.EmergencyStop;
        bool timed = Statistics.Ticks >= UntimedTicks;
        if (timed)
        {
            Statistics.Read.Record(MonotonicClock.NowNs() - start);
        }
        TakeRequest(start);

        var flags = afterOverrun ? StepFlag.DeadlineOverrun : StepFlag.None;
        long inference = 0;
        bool policyRan = _policy is not null && _mode != ControlMode.Teleop;
        if (policyRan)
        {
            inference = _policy!.Infer(_observation);
            if (timed)
            {
                Statistics.Inference.Record(inference);
            }
            flags |= ObserveHelp(start);
        }

        // One read of the stop latch for the whole tick: arbitration and the supervisor must judge the same stop.
        // A stop latched after this read has already halted the devices, and the next tick holds it.
        long latches = Mailbox.StopLatches;
        bool latched = Mailbox.IsLatched(latches);
        var choice = _arbiter.Choose(start, _mode, latched || read == ReadStatus.EmergencyStop, policyRan, _observation, _command);
        if (choice.BecameStale)
        {
            Events.TryWrite(new LoopEvent(LoopEventKind.OverrideStale, start, _episodes.Episode, _episodes.Tick, Text: "override commands went stale"));
        }
        if (choice.Source == ActionSource.Override)
        {
            flags |= StepFlag.Intervention;
        }

        bool staleRecovered = _staleRecovery.Observe(_safety);
        var decision = SafetySupervisor.Decide(_safety, new SafetyInputs(
            StopLatched: latched,
            StopLatches: latches,
            StopInput: read == ReadStatus.EmergencyStop ? readIndex : -1,
            StaleSensor: read == ReadStatus.StaleSensor ? readIndex : -1,
            NonFiniteObservation: NonFinite.FirstIndex(_observation),
            // Any head's outputs, not just what the action was chosen from: an argmax over NaN logits is a finite index.
            NonFinitePolicyOutput: choice.Source == ActionSource.Policy ? NonFinite.FirstIndex(_policy!.Outputs) : -1,
            NonFiniteCommand: choice.Source == ActionSource.Safety ? -1 : NonFinite.FirstIndex(_command),
            ClearFault: _clearFault,
            WatchdogTripped: (_watchdog?.Trips ?? 0) > 0,
            StaleRecovered: staleRecovered), out _safety);
        _clearFault = false;
        Carry(decision, start, latches);

        var source = choice.Source;
        if (decision.HoldSafe || source == ActionSource.Safety)
        {
            _limiter.WriteSafe(_applied);
            source = ActionSource.Safety;
        }
        else if (_limiter.Apply(_command, _applied))
        {
            flags |= StepFlag.ActionClamped;
        }
        if (read == ReadStatus.StaleSensor)
        {
            flags |= StepFlag.StaleSensor;
        }

        _hardware.Write(_applied, MonotonicClock.NowNs());
        long written = MonotonicClock.NowNs();
        long work = written - start;
        if (timed)
        {
            Statistics.Work.Record(work);
        }
        bool overrideDrove = choice.AppliedSequence >= 0 && source != ActionSource.Safety;
        if (overrideDrove)
        {
            Overrides.ReportApplied(choice.AppliedSequence, Statistics.Ticks, written, _applied);
        }
        PublishStep(start, source, flags, policyRan, lateness, inference, work, overrideDrove ? choice.Lease : 0);
        _episodes.Advance();
        return FinishEpisodeIfDone(MonotonicClock.NowNs());
    }

    /// <summary>Does what the supervisor decided: halt or resume the devices, latch the stop for a stop input, count and report a fault or a recovery.</summary>
    private void Carry(in SafetyOutputs decision, long now, long latchesSeen)
    {
        if (decision.Halt)
        {
            // Every tick the stop holds, not once: whatever resumed a device since, it stays in its safe state.
            // Halted before the stop or fault shows anywhere: whoever sees it may rely on the devices being safe.
            _hardware.Halt();
        }
        if (decision.StopInputLatched >= 0)
        {
            Mailbox.LatchStop();
            // Index: which of the config's emergency_stops entries, for the operator to find the button pressed.
            Events.TryWrite(new LoopEvent(LoopEventKind.EmergencyStop, now, _episodes.Episode, _episodes.Tick, Index: decision.StopInputLatched,
                Text: "emergency stop input active (or unreadable) on the robot"));
        }
        if (decision.RecoveredIndex >= 0)
        {
            // Before a fault latched on the same tick, so that the stream reads in the order the supervisor decided.
            Events.TryWrite(new LoopEvent(LoopEventKind.FaultRecovered, now, _episodes.Episode, _episodes.Tick, Fault: FaultKind.StaleSensor,
                Index: decision.RecoveredIndex, Text: _staleRecovery.TextFor(decision.RecoveredIndex)));
        }
        if (decision.NewFault != FaultKind.None)
        {
            _staleRecovery.Restart();
            Statistics.CountFault();
            Events.TryWrite(new LoopEvent(LoopEventKind.Fault, now, _episodes.Episode, _episodes.Tick, Fault: decision.NewFault, Index: decision.NewFaultIndex,
                Text: FaultTexts.Of(decision.NewFault)));
        }
        if (decision.Resume)
        {
            _hardware.Resume();
            // A stop or a watchdog trip that arrived since this tick's read halted the devices just before this
            // resume: halt again now rather than leave them running until the next tick sees it. (Both latch first
            // and halt after, so whichever order the threads ran in, one of the two halts comes last.)
            Interlocked.MemoryBarrier();
            if (Mailbox.StopLatches != latchesSeen || (_watchdog?.Trips ?? 0) > 0)
            {
                _hardware.Halt();
            }
        }
    }

    /// <summary>
    /// A recorder's failure, seen at the end of the first tick after it was raised (one volatile read a tick): one
    /// event, and when the run stops for it, the episode ended as aborted ("recording failed"); true to stop. The
    /// robot is then made safe as by any stop.
    /// </summary>
    private bool NoticeRecordingFailure(long now)
    {
        var raised = RecordingAlarm.Latest;
        if (ReferenceEquals(raised, _recordingFailureSeen))
        {
            return false;
        }
        _recordingFailureSeen = raised;
        Events.TryWrite(new LoopEvent(LoopEventKind.RecordingFailed, now, _episodes.Episode, _episodes.Tick, Text: raised!.Text, Mode: _mode));
        if (_options.OnRecordingFailure != RecordingFailureAction.Stop)
        {
            return false;
        }
        StoppedByRecordingFailure = true;
        _episodes.End(now, Statistics.Ticks, _mode, EpisodeOutcome.Aborted, EndReasons.RecordingFailed);
        return true;
    }

    /// <summary>Judges the policy's uncertainty on this tick; a new run of unsure ticks raises one help request.</summary>
    private StepFlag ObserveHelp(long now)
    {
        if (_help is null)
        {
            return StepFlag.None;
        }
        if (_help.Observe(_observation))
        {
            Events.TryWrite(new LoopEvent(LoopEventKind.HelpRequested, now, _episodes.Episode, _episodes.Tick, Text: HelpTriggerTexts.Request(_help.LastTriggers),
                Uncertainty: _help.LastUncertainty, ObservationZ: _help.LastObservationZ, Novelty: _help.LastNovelty, HelpTriggers: _help.LastTriggers));
        }
        return _help.Requesting ? StepFlag.HelpRequested : StepFlag.None;
    }

    /// <summary>Answers the control plane's request, if one was posted since the last tick. Rare, bounded, no I/O.</summary>
    private void TakeRequest(long now)
    {
        if (!Mailbox.TryTake(out var kind, out long argument))
        {
            return;
        }
        switch (kind)
        {
            case LoopRequestKind.SetMode:
                var mode = (ControlMode)argument;
                if (mode != ControlMode.Teleop && _policy is null)
                {
                    Mailbox.Answer(LoopAnswer.NoPolicy);
                    return;
                }
                if (mode != _mode)
                {
                    _mode = mode;
                    _help?.Reset();
                    Events.TryWrite(new LoopEvent(LoopEventKind.ModeChanged, now, _episodes.Episode, _episodes.Tick, Text: "mode changed", Mode: mode));
                }
                break;
            case LoopRequestKind.ResetEpisode:
                _episodes.End(now, Statistics.Ticks, _mode, EpisodeOutcome.Aborted, EndReasons.OperatorReset);
                _task?.ResetEpisode();
                _clearFault = true;
                _help?.Reset();
                _episodes.Begin(now, Statistics.Ticks, _mode);
                break;
            case LoopRequestKind.ReleaseStop:
                // The argument: how many latches there were when the release was asked for; later ones still hold.
                if (!Mailbox.IsLatched(argument))
                {
                    Mailbox.Answer(LoopAnswer.NotStopped);
                    return;
                }
                if (_stopInputActive)
                {
                    Mailbox.Answer(LoopAnswer.StopInputActive);
                    return;
                }
                Mailbox.ReleaseStop(argument);
                break;
        }
        // Published before the answer: whoever reads the status after it sees the mode or episode the request set.
        PublishStatus();
        Mailbox.Answer(LoopAnswer.Done);
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
            (outcome, reason) = (EpisodeOutcome.Aborted, FaultTexts.Of(_safety.Fault));
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
        _episodes.End(now, Statistics.Ticks + 1, _mode, outcome, reason);
        bool more = _options.MaxEpisodes == 0 || Statistics.Episodes < _options.MaxEpisodes;
        if (more && !_stopRequested)
        {
            _task.ResetEpisode();
            // A new episode starts clean: the next tick's supervisor clears the fault (and resumes the devices).
            _clearFault = true;
            _help?.Reset();
            _episodes.Begin(now, Statistics.Ticks + 1, _mode);
        }
        return true;
    }

    /// <param name="overrideLease">The lease of the override operator whose command was sent, or 0.</param>
    private void PublishStep(long timestamp, ActionSource source, StepFlag flags, bool policyRan, long lateness, long inference, long work, long overrideLease)
    {
        var header = new TickHeader
        {
            Kind = TickKind.Step,
            TimestampNs = timestamp,
            LoopTick = Statistics.Ticks,
            Episode = _episodes.Episode,
            EpisodeTick = _episodes.Tick,
            Flags = (uint)flags,
            LatenessNs = Saturate(lateness),
            InferenceNs = Saturate(inference),
            WorkNs = Saturate(work),
            Mode = _mode,
            Source = source,
            Fault = _safety.Fault,
            Head = policyRan ? _policy!.Head.Kind : HeadKind.None,
            Uncertainty = policyRan && _help is not null ? (float)_help.LastUncertainty : 0,
            ObservationZ = policyRan && _help is not null ? (float)_help.LastObservationZ : 0,
            Novelty = policyRan && _help is not null ? (float)_help.LastNovelty : 0,
            HelpTriggers = policyRan && _help is not null ? _help.LastTriggers : 0,
            OverrideLease = overrideLease,
        };
        WaitForRecorderIfUnpaced();
        Ticks.Write(header, _observation, _applied, policyRan ? _policy!.Outputs : []);
    }

    private void WaitForRecorderIfUnpaced()
    {
        if (!_options.Paced)
        {
            // No deadline to keep: wait for the recorder rather than overwrite what it has not read, but not past a
            // stop request (a recorder stuck on a full disk must not hold the loop): after one, only until the final
            // records' deadline. A recorder that fails or stops lets go of the gate. SpinWait spins, then yields.
            var wait = default(SpinWait);
            while (Ticks.GateIsFull && (!_stopRequested || MonotonicClock.NowNs() < _finalRecordDeadline))
            {
                wait.SpinOnce();
            }
        }
    }

    private void PublishStatus() => Status.Publish(new LoopStatus(
        Statistics.Ticks, _episodes.Episode, _episodes.Tick, _mode, _stopInputActive, _safety.Fault, _arbiter.OverrideStale));

    private static uint Saturate(long nanoseconds) => (uint)Math.Clamp(nanoseconds, 0, uint.MaxValue);
}
