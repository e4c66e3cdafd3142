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
/// tick: read the observation → run the policy → arbitrate (policy, operator, or safe) → safety → write the
/// action → hand the tick to the recorder. Overruns are counted and missed deadlines skipped, never bunched.
/// Everything a tick touches is allocated before the first one: in steady state a tick allocates nothing.
/// </summary>
public sealed class ControlLoop : IDisposable
{
    private readonly IRobotHardware _hardware;
    private readonly IEpisodicTask? _task;
    private readonly PolicyRunner? _policy;
    private readonly ActionSelector? _selector;
    private readonly IOperator? _operator;
    private readonly TeleopLogWriter? _recorder;
    private readonly EpisodeInfo _episodeInfo;
    private readonly LoopOptions _options;
    private readonly SafetyLayer _safety;
    private readonly float[] _observation;
    private readonly float[] _command;
    private readonly float[] _applied;
    private readonly Thread _thread;
    private readonly List<string> _notes = [];

    // The first ticks pay one-time costs (JIT compilation of the tick path, ONNX Runtime's first run): they
    // are left out of the latency histograms, which describe the steady state.
    private const int UntimedTicks = 10;
    private volatile bool _stopRequested;
    private Watchdog? _watchdog;
    private ulong _episode;
    private ulong _episodeTick;
    private bool _episodeOpen;
    private long _allocatedBase;
    private long _allocatedEnd;
    private long _measuredTicks;
    private long _startNs;
    private long _endNs;
    private Exception? _failure;
    private int _collectionsAtStart;
    private int _collectionsAtEnd;

    /// <param name="policy">Required in autonomous and shadow modes.</param>
    /// <param name="operator">Required in teleop and shadow modes.</param>
    /// <param name="recorder">Records every tick, when given; the loop opens and closes episodes in it.</param>
    public ControlLoop(IRobotHardware hardware, LoopOptions options, PolicyRunner? policy = null, IOperator? @operator = null, TeleopLogWriter? recorder = null)
    {
        options.Validate();
        if (options.Mode != ControlMode.Teleop && policy is null)
        {
            throw new ArgumentException($"--mode {options.Mode.ToString().ToLowerInvariant()} needs a policy (--policy)");
        }
        if (options.Mode != ControlMode.Autonomous && @operator is null)
        {
            throw new ArgumentException($"--mode {options.Mode.ToString().ToLowerInvariant()} needs an operator; a simulated robot's scripted expert is one");
        }
        if (policy is not null)
        {
            PolicyFit.Check(policy.Metadata, hardware.Description, options.CheckPolicyRate ? options.RateHz : policy.Metadata.ControlRateHz, policy.Path);
            _selector = new ActionSelector(policy, options.Stochastic, (ulong)options.Seed);
        }
        _hardware = hardware;
        _task = hardware as IEpisodicTask;
        _policy = policy;
        _operator = @operator;
        _recorder = recorder;
        _options = options;
        var robot = hardware.Description;
        _safety = new SafetyLayer(robot, options.RateHz);
        _observation = new float[robot.Observations.Count];
        _command = new float[robot.Actions.Count];
        _applied = new float[robot.Actions.Count];
        string driver = options.Mode == ControlMode.Autonomous ? "policy " + Path.GetFileName(policy!.Path) : @operator!.Name;
        _episodeInfo = robot.ToEpisodeInfo(options.RateHz, _task?.TaskDescription ?? "", driver);
        _thread = new Thread(Run) { Name = "control-loop", IsBackground = true };
    }

    public LoopStatistics Statistics { get; } = new();

    /// <summary>Episode boundaries and faults, for whoever reports them (the CLI, the gRPC events stream).</summary>
    public SpscRing<LoopEvent> Events { get; } = new(1024);

    /// <summary>One line per thing the loop could not do as asked (real-time priority refused, say).</summary>
    public IReadOnlyList<string> Notes => _notes;

    public bool IsRunning => _thread.IsAlive;

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
            _startNs = MonotonicClock.NowNs();
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
        long period = (long)(1e9 / _options.RateHz);
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
        var status = _hardware.Read(_observation, start, out int staleIndex);
        bool timed = Statistics.Ticks >= UntimedTicks;
        long afterRead = MonotonicClock.NowNs();
        if (timed)
        {
            Statistics.Read.Record(afterRead - start);
        }
        if (status == ReadStatus.StaleSensor)
        {
            LatchFault(FaultKind.StaleSensor, staleIndex, start);
        }
        for (int i = 0; i < _observation.Length; i++)
        {
            if (!float.IsFinite(_observation[i]))
            {
                LatchFault(FaultKind.NonFiniteObservation, i, start);
                break;
            }
        }

        long inference = 0;
        bool policyRan = _policy is not null && _options.Mode != ControlMode.Teleop;
        if (policyRan)
        {
            inference = _policy!.Infer(_observation);
            if (timed)
            {
                Statistics.Inference.Record(inference);
            }
        }

        var source = ActionSource.Policy;
        if (_options.Mode == ControlMode.Autonomous)
        {
            _selector!.Select(_command);
        }
        else if (_operator!.TryAct(_observation, _command))
        {
            source = ActionSource.Teleop;
        }
        else
        {
            source = ActionSource.Safety;
            _safety.WriteSafe(_command);
        }

        bool wasFaulted = _safety.Fault != FaultKind.None;
        var flags = _safety.Apply(_command, _applied);
        if (!wasFaulted && _safety.Fault != FaultKind.None)
        {
            ReportFault(_safety.Fault, _safety.FaultIndex, start);
        }
        if (_safety.Fault != FaultKind.None)
        {
            source = ActionSource.Safety;
        }
        _hardware.Write(_applied, MonotonicClock.NowNs());
        long work = MonotonicClock.NowNs() - start;
        if (timed)
        {
            Statistics.Work.Record(work);
        }

        if (afterOverrun)
        {
            flags |= StepFlag.DeadlineOverrun;
        }
        Record(start, source, flags, policyRan, lateness, inference, work);
        _episodeTick++;
        return FinishEpisodeIfDone(MonotonicClock.NowNs());
    }

    private void Record(long timestamp, ActionSource source, StepFlag flags, bool policyRan, long lateness, long inference, long work)
    {
        if (_recorder is null)
        {
            return;
        }
        bool categorical = _policy?.Metadata.IsCategorical == true;
        _recorder.TryAppend(new StepRecord
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
            _safety.ClearFault();
            BeginEpisode(now);
        }
        return true;
    }

    private void BeginEpisode(long now)
    {
        _episode++;
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

    private void LatchFault(FaultKind fault, int index, long now)
    {
        if (_safety.Latch(fault, index))
        {
            ReportFault(fault, index, now);
        }
    }

    private void ReportFault(FaultKind fault, int index, long now)
    {
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
