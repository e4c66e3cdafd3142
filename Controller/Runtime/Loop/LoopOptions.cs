using System.Globalization;

namespace Robotics.Controller.Loop;

/// <summary>How the loop runs.</summary>
public sealed record LoopOptions
{
    /// <summary>Ticks per second, 10 Hz to 2 kHz.</summary>
    public double RateHz { get; init; } = 100;

    public ControlMode Mode { get; init; } = ControlMode.Autonomous;

    /// <summary>Stop after this many episodes (0: no limit).</summary>
    public int MaxEpisodes { get; init; }

    /// <summary>Stop after this long (null: no limit).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Sleep to absolute deadlines (a robot). False runs ticks back to back, as fast as they go: for
    /// simulations that need no wall-clock pacing (evaluation, tests) and for allocation measurements. With
    /// no deadline to keep, an unpaced loop waits for the recorder when it gets ahead rather than drop steps, and
    /// has no watchdog (a pause is not a stall when nothing waits on the next tick).
    /// </summary>
    public bool Paced { get; init; } = true;

    /// <summary>
    /// How many times faster than real time a paced loop runs a simulation: a demonstration or a DAgger round
    /// with a remote operator in the loop, where the network and the operator must still see ticks spaced in
    /// wall-clock time but a run should not take as long as on a robot. 1 on a robot.
    /// </summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>
    /// Ask for SCHED_FIFO and a pinned CPU for the loop thread, and move the process's other threads (the gRPC
    /// server, the recorder, the runtime's) off that CPU.
    /// </summary>
    public bool Realtime { get; init; } = true;

    /// <summary>
    /// Lock the process's memory for the run (<see cref="Timing.MemoryLock"/>): a process-wide choice, so the
    /// command that owns the process (`controller run`) makes it, not a loop run inside another program.
    /// </summary>
    public bool LockMemory { get; init; }

    /// <summary>SCHED_FIFO priority (1–99); 80 is where cyclictest measures.</summary>
    public int Priority { get; init; } = 80;

    /// <summary>The CPU to pin the loop to; null for the last CPU the process may use.</summary>
    public int? Cpu { get; init; }

    /// <summary>
    /// Wake this long before each deadline and spin to it. Zero by default: on the machines measured
    /// (docs/benchmarks.md) clock_nanosleep's own wake-up latency was the floor and spinning bought nothing.
    /// </summary>
    public TimeSpan Spin { get; init; } = TimeSpan.Zero;

    /// <summary>Gaussian policies sample μ + σ·ε instead of acting with μ; categorical sample instead of argmax.</summary>
    public bool Stochastic { get; init; }

    public int Seed { get; init; }

    /// <summary>
    /// Refuse a policy trained at another rate (a policy's outputs are per tick). Only a timing benchmark,
    /// which does not care what the actions mean, turns this off.
    /// </summary>
    public bool CheckPolicyRate { get; init; } = true;

    /// <summary>Ticks before allocation is measured (first-call costs, episode set-up).</summary>
    public int WarmupTicks { get; init; } = 1000;

    /// <summary>How long the loop may make no progress before the watchdog halts the actuators.</summary>
    public TimeSpan? WatchdogTimeout { get; init; }

    /// <summary>An override command older than this is stale: the loop switches to <see cref="Fallback"/>.</summary>
    public TimeSpan OverrideStaleAfter { get; init; } = TimeSpan.FromMilliseconds(200);

    public OverrideFallback Fallback { get; init; } = OverrideFallback.SafeAction;

    /// <summary>Refuse an override command outside the action limits instead of clamping it (and flagging the tick ACTION_CLAMPED).</summary>
    public bool RejectOutOfRange { get; init; }

    /// <summary>When the robot asks for help; null for never. Only applies where a policy runs.</summary>
    public HelpOptions? Help { get; init; } = new();

    /// <summary>
    /// Records the tick ring keeps for its readers (a power of two): 16384 is 16 s of a 1 kHz loop, room for the
    /// recorder to ride out a slow SD card's fsync stalls without losing ticks. About 1 MiB plus 64 KiB per float
    /// of observation, action and policy output.
    /// </summary>
    public int TickRingCapacity { get; init; } = 16384;

    /// <summary>What the run does when its recording fails: go on unrecorded (the default), or stop.</summary>
    public Recording.RecordingFailureAction OnRecordingFailure { get; init; } = Recording.RecordingFailureAction.Continue;

    /// <summary>Wall-clock time between ticks.</summary>
    public TimeSpan Period => TimeSpan.FromSeconds(1 / (RateHz * TimeScale));

    /// <summary>At least 50 ms, and never less than ten periods.</summary>
    public TimeSpan EffectiveWatchdogTimeout => WatchdogTimeout ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, Period.Ticks * 10));

    /// <summary>Checks these options and what the loop is given to run with: the mode's driver, and that the policy fits the robot.</summary>
    public void Validate(Hardware.Robots.RobotDescription robot, Policy.PolicyRunner? policy, bool hasOperator)
    {
        Validate();
        string mode = Mode.ToString().ToLowerInvariant();
        if (Mode != ControlMode.Teleop && policy is null)
        {
            throw new ArgumentException($"--mode {mode} needs a policy (--policy)");
        }
        if (Mode != ControlMode.Autonomous && !hasOperator)
        {
            throw new ArgumentException($"--mode {mode} needs an operator: a simulator's scripted expert, or a remote one (--grpc)");
        }
        if (policy is not null)
        {
            // A benchmark that does not care what the actions mean checks the policy at its own rate.
            Policy.PolicyFit.Check(policy.Metadata, robot, CheckPolicyRate ? RateHz : policy.Metadata.ControlRateHz, policy.Path);
        }
    }

    public void Validate()
    {
        if (!(RateHz is >= 10 and <= 2000))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--rate: must be between 10 and 2000 Hz, got {RateHz}"));
        }
        if (!(TimeScale >= 1) || !(RateHz * TimeScale <= 2000))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"time scale: must be at least 1, and the paced rate (rate × scale) at most 2000 Hz, got {TimeScale}"));
        }
        if (Priority is < 1 or > 99)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--priority: must be between 1 and 99, got {Priority}"));
        }
        if (MaxEpisodes < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--episodes: must be 0 (no limit) or more, got {MaxEpisodes}"));
        }
        if (Duration is { } d && d <= TimeSpan.Zero)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--duration: must be positive, got {d.TotalSeconds} s"));
        }
    }
}
