namespace Robotics.Hardware.Robots;

/// <summary>Where an episode stands after a tick.</summary>
public enum EpisodeStatus
{
    Running,
    Success,
    Failure,
}

/// <summary>
/// A robot that knows its task: it can start a new episode (a simulator resets its state and draws a new
/// goal) and judge each tick. Real robots without one run a single episode until stopped.
/// </summary>
public interface IEpisodicTask
{
    /// <summary>Free text for the log, e.g. "reach random targets".</summary>
    string TaskDescription { get; }

    /// <summary>Starts a new episode. Loop-safe: no allocation.</summary>
    void ResetEpisode();

    /// <summary>The episode's status after the latest tick; <paramref name="reason"/> a constant string.</summary>
    EpisodeStatus Evaluate(out string reason);
}

/// <summary>An expert that can act from any state: it plays the teleoperator on a simulated robot.</summary>
public interface IScriptedExpert
{
    /// <summary>Its name, for the log's operator field.</summary>
    string ExpertName { get; }

    /// <summary>The expert's action for <paramref name="observation"/>. Loop-safe: no allocation.</summary>
    void Act(ReadOnlySpan<float> observation, Span<float> action);
}

/// <summary>A robot that has its own teleoperator on board: a leader arm read through its devices.</summary>
public interface ITeleopSource
{
    /// <summary>Whether the robot's config maps a teleoperator to every action.</summary>
    bool HasTeleop { get; }

    /// <summary>
    /// The teleoperator's action from the samples the latest <see cref="IRobotHardware.Read"/> took; false when a
    /// source's sample is too old (the robot then gets its safe action). Loop-safe: no allocation.
    /// </summary>
    bool TryReadTeleop(Span<float> action);
}
