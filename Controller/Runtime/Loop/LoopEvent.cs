using Robotics.Protos.Log;

using Robotics.Controller.Safety;

namespace Robotics.Controller.Loop;

public enum LoopEventKind
{
    EpisodeStarted,
    EpisodeEnded,
    /// <summary>A fault was latched: the robot is sent its safe action.</summary>
    Fault,
    /// <summary>A stale-sensor fault cleared by itself, its device fresh again for the ticks its rule asks: the devices resume.</summary>
    FaultRecovered,
    ModeChanged,
    /// <summary>The robot asks an operator for help.</summary>
    HelpRequested,
    OverrideTaken,
    /// <summary>The override operator's commands went stale; the fallback drives.</summary>
    OverrideStale,
    OverrideReleased,
    EmergencyStop,
    EmergencyStopReleased,
    RecordingStarted,
    RecordingStopped,
    /// <summary>A device's hardware did not confirm a halt within its budget; the text names the device and the parts.</summary>
    HaltUnconfirmed,
    /// <summary>A recording's log failed (a full disk); the text says what it kept and whether the run goes on.</summary>
    RecordingFailed,
}

/// <summary>Something the loop tells the world about, handed off without allocation (texts are constants).</summary>
public readonly record struct LoopEvent(
    LoopEventKind Kind,
    long TimestampNs,
    ulong Episode,
    ulong Tick,
    EpisodeOutcome Outcome = EpisodeOutcome.Unspecified,
    FaultKind Fault = FaultKind.None,
    int Index = -1,
    string Text = "",
    ControlMode Mode = ControlMode.Autonomous,
    double Uncertainty = 0,
    double ObservationZ = 0,
    double Novelty = 0,
    uint HelpTriggers = 0);
