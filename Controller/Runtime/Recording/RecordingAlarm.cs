namespace Robotics.Controller.Recording;

/// <summary>
/// Where a recorder tells the loop it failed, without a lock: the recorder's thread publishes the failure and its
/// announcement as one reference; the loop reads that reference once per tick and compares it with the last it
/// saw, so a failure costs the loop's hot path one volatile read and allocates nothing there (the text is built
/// on the recorder's thread). One per loop, for the run's recording and one started over gRPC alike.
/// </summary>
public sealed class RecordingAlarm(RecordingFailureAction action)
{
    private Raised? _latest;

    /// <summary>What the run does when its recording fails.</summary>
    public RecordingFailureAction Action => action;

    /// <summary>The latest failure raised, or null.</summary>
    public Raised? Latest => Volatile.Read(ref _latest);

    /// <summary>Recorder's thread: raises <paramref name="failure"/> for the loop to see at its next tick.</summary>
    public void Raise(RecordingFailure failure) => Volatile.Write(ref _latest, new Raised(failure, failure.Announcement(action)));

    /// <param name="Text">The event's text, built before the loop sees it.</param>
    public sealed record Raised(RecordingFailure Failure, string Text);
}
