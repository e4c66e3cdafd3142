using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Simulation;

/// <summary>
/// What the simulators share: a robot description, synchronous fixed-step physics (Write advances the world
/// one control period), episodes with a goal and a time limit, and a scripted expert. Seeded: the same seed
/// gives the same episodes. Loop-safe: nothing allocates after construction.
/// </summary>
public abstract class SimulatedRobot : IRobotHardware, IEpisodicTask, IScriptedExpert
{
    private volatile bool _halted;

    protected SimulatedRobot(RobotDescription description, int seed)
    {
        Description = description;
        Random = new Random(seed);
        Dt = 1 / description.RateHz;
    }

    public RobotDescription Description { get; }

    public abstract string TaskDescription { get; }

    public abstract string ExpertName { get; }

    /// <summary>The physics step: one control period.</summary>
    protected double Dt { get; }

    protected Random Random { get; }

    /// <summary>Ticks since the episode began.</summary>
    protected int EpisodeTicks { get; private set; }

    public void Start() => ResetEpisode();

    public ReadStatus Read(Span<float> observation, long nowNs, out int faultIndex)
    {
        faultIndex = -1;
        Observe(observation);
        return ReadStatus.Ok;
    }

    public void Write(ReadOnlySpan<float> action, long nowNs)
    {
        if (_halted)
        {
            StepSafe();
        }
        else
        {
            Step(action);
        }
        EpisodeTicks++;
    }

    public void Halt() => _halted = true;

    public void Resume() => _halted = false;

    public void Stop() => _halted = true;

    public void ResetEpisode()
    {
        EpisodeTicks = 0;
        _halted = false;
        Reset();
    }

    public abstract EpisodeStatus Evaluate(out string reason);

    public abstract void Act(ReadOnlySpan<float> observation, Span<float> action);

    /// <summary>What <see cref="GoalError"/> measures, with its unit, for reports.</summary>
    public abstract string GoalErrorName { get; }

    /// <summary>A goal error small enough not to matter to the task (its success tolerance), in the same unit.</summary>
    public abstract double GoalTolerance { get; }

    /// <summary>How far the state an observation describes is from the task's goal (0 at the goal).</summary>
    public abstract double GoalError(ReadOnlySpan<float> observation);

    /// <summary>
    /// The expert's plan from <paramref name="observation"/>: the observations its own closed loop would
    /// produce over the next ticks (as many as <paramref name="trajectory"/> holds, one observation after
    /// another), rolled out on this instance's physics. Call it on an instance kept as a model, never on one
    /// a loop drives: it overwrites the state.
    /// </summary>
    public void Plan(ReadOnlySpan<float> observation, Span<float> trajectory)
    {
        int size = Description.Observations.Count;
        Span<float> current = stackalloc float[size];
        Span<float> action = stackalloc float[Description.Actions.Count];
        observation.CopyTo(current);
        Load(observation);
        for (int start = 0; start + size <= trajectory.Length; start += size)
        {
            Act(current, action);
            Step(action);
            Observe(current);
            current.CopyTo(trajectory.Slice(start, size));
        }
    }

    public void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Draws a new start state and goal.</summary>
    protected abstract void Reset();

    protected abstract void Observe(Span<float> observation);

    /// <summary>Sets the state (and goal) an observation describes: the start of a <see cref="Plan"/>.</summary>
    protected abstract void Load(ReadOnlySpan<float> observation);

    /// <summary>Advances the physics one period under <paramref name="action"/>.</summary>
    protected abstract void Step(ReadOnlySpan<float> action);

    /// <summary>Advances the physics one period with the actuators in their safe state.</summary>
    protected abstract void StepSafe();

    /// <summary>A draw from N(0, 1) (Box–Muller), allocation-free.</summary>
    protected double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - Random.NextDouble())) * Math.Cos(2 * Math.PI * Random.NextDouble());
}
