using Robotics.Protos.Log;

namespace Robotics.Controller.Loop;

public enum LoopEventKind
{
    EpisodeStarted,
    EpisodeEnded,
    /// <summary>A fault was latched: the robot is sent its safe action.</summary>
    Fault,
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
    string Text = "");
