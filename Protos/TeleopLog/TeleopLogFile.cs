using Robotics.Protos.Mcap;

namespace Robotics.Protos.TeleopLog;

/// <summary>A teleop log read back whole: its episodes and what the recorder and the reader noticed.</summary>
public sealed class TeleopLogFile
{
    internal TeleopLogFile(string path, IReadOnlyList<TeleopEpisode> episodes, long droppedSteps, long droppedEvents,
        long orphanSteps, bool wasClosed, IReadOnlyList<McapIssue> issues)
    {
        Path = path;
        Episodes = episodes;
        DroppedSteps = droppedSteps;
        DroppedEvents = droppedEvents;
        OrphanSteps = orphanSteps;
        WasClosed = wasClosed;
        Issues = issues;
    }

    public string Path { get; }

    public IReadOnlyList<TeleopEpisode> Episodes { get; }

    /// <summary>Steps the recorder dropped because its buffer was full (as recorded in the file).</summary>
    public long DroppedSteps { get; }

    /// <summary>Episode start/end records the recorder dropped.</summary>
    public long DroppedEvents { get; }

    /// <summary>Steps whose episode has no start record in the file (lost with a skipped chunk); not in any episode.</summary>
    public long OrphanSteps { get; }

    /// <summary>True when the file was closed properly (footer and summary present).</summary>
    public bool WasClosed { get; }

    /// <summary>What a tolerant read skipped or found cut; empty for a sound file.</summary>
    public IReadOnlyList<McapIssue> Issues { get; }

    /// <summary>The robot the recorder named when it closed the file; null for a cut file or another writer's.</summary>
    public string? Robot { get; init; }

    public long StepCount => Episodes.Sum(e => (long)e.Steps.Count);
}
