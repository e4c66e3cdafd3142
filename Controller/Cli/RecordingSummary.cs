using System.Globalization;
using System.Text.Json.Nodes;
using Robotics.Controller.CommandLine;
using Robotics.Controller.Recording;

namespace Robotics.Controller.Cli;

/// <summary>What a run's recording kept, for people and as JSON: steps written, and after a failure, steps dropped and how to get the rest back.</summary>
internal static class RecordingSummary
{
    /// <summary>The exit status of a run whose recording failed (unless a signal stopped it, whose own status says so).</summary>
    public const int FailedExitCode = 3;

    public static void Print(CommandOutput console, TickRecorder recorder, RecordingFailure? failure, RecordingFailureAction action, bool stoppedForIt)
    {
        var c = CultureInfo.InvariantCulture;
        string path = recorder.Path ?? "";
        if (failure is null)
        {
            console.Line(string.Create(c, $"recording  {recorder.WrittenSteps} steps written to {path}, log closed"));
            return;
        }
        string run = stoppedForIt ? "the run was stopped for it" : "the run went on unrecorded";
        console.Line(string.Create(c, $"recording  FAILED ({failure.Error}): {failure.StepsKept} steps kept in {path}, {recorder.StepsDroppedByFailure} dropped after the failure; " +
            $"{run} (--on-recording-failure {Name(action)})"));
        console.Line($"           the log is not closed: `trainer log recover {path}` writes a closed copy of the steps kept");
    }

    public static JsonObject Json(TickRecorder recorder, RecordingFailure? failure) => new()
    {
        ["path"] = recorder.Path,
        ["failed"] = failure is not null,
        ["error"] = failure?.Error,
        ["steps_kept"] = failure?.StepsKept ?? recorder.WrittenSteps,
        ["steps_dropped_after_failure"] = recorder.StepsDroppedByFailure,
        ["closed"] = failure is null,
    };

    public static string Name(RecordingFailureAction action) => action.ToString().ToLowerInvariant();
}
