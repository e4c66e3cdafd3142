using System.Globalization;

namespace Robotics.Controller.Recording;

/// <summary>What a recording's failure left behind, fixed when the write failed (on the recorder's thread).</summary>
/// <param name="Path">The log, or a placeholder for one written to a stream.</param>
/// <param name="Error">What went wrong, for people (the system's words: "No space left on device").</param>
/// <param name="StepsKept">Steps in the chunks that reached the file before the failure: what <c>trainer log recover</c> gets back.</param>
public sealed record RecordingFailure(string Path, string Error, long StepsKept)
{
    /// <summary>The error an exception from a log write stands for, in words a user reads.</summary>
    public static string Describe(Exception e) => e switch
    {
        // What .NET makes of EFBIG (a file-size limit: ulimit -f, a FAT32 card's 4 GiB): its message names a parameter.
        ArgumentOutOfRangeException => "file too large: it reached the largest size this system lets a file have (a file-size limit, or the file system's)",
        _ => e.Message,
    };

    /// <summary>The one line an operator reads when it happens: the log, the error, what is kept, and what the run does now.</summary>
    public string Announcement(RecordingFailureAction action) => string.Create(CultureInfo.InvariantCulture,
        $"recording to {Path} failed: {Error}; {StepsKept} steps kept in the file (`trainer log recover` closes a copy); ") + (action == RecordingFailureAction.Stop
            ? "stopping the run (--on-recording-failure stop)"
            : "the run goes on unrecorded, its steps counted as dropped (--on-recording-failure continue)");
}
