using Robotics.Controller.Safety;

namespace Robotics.Controller.Loop;

/// <summary>What the loop published at the end of its latest tick, for the control plane and status readers.</summary>
/// <param name="Ticks">Ticks done since the loop started.</param>
/// <param name="Episode">The current episode (from 1; 0 before the first).</param>
/// <param name="EpisodeTick">Steps done in that episode: the index of its next step, the tick an event between ticks happens at.</param>
/// <param name="StopInputActive">One of the robot's own emergency-stop inputs is active (or unreadable).</param>
/// <param name="Fault">The fault latched as of the end of that tick.</param>
/// <param name="OverrideStale">The override operator holds the lease but its commands went stale: the fallback drives.</param>
/// <remarks>Whether the emergency stop is latched is the mailbox's to say (<see cref="Control.LoopMailbox.StopLatched"/>): it changes between ticks.</remarks>
public readonly record struct LoopStatus(
    long Ticks,
    ulong Episode,
    ulong EpisodeTick,
    ControlMode Mode,
    bool StopInputActive,
    FaultKind Fault,
    bool OverrideStale);
