namespace Robotics.Controller.Ticks;

/// <summary>What a record of the tick ring is.</summary>
public enum TickKind : byte
{
    /// <summary>A slot never written (a reader never sees one).</summary>
    None,
    /// <summary>One control tick: observation, action sent, the policy head's outputs, who drove, timings.</summary>
    Step,
    /// <summary>An episode began; the steps that follow belong to it.</summary>
    EpisodeStart,
    /// <summary>An episode ended: its outcome and the reason's code (<see cref="EndReasons"/>).</summary>
    EpisodeEnd,
}
