using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Robotics.Protos.Control;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Cli;

/// <summary>
/// A recording's disk fills while the robot runs. A real <c>controller run</c> child whose files may not grow past
/// a few chunks (ulimit -f: the write fails with EFBIG as a full disk fails with ENOSPC, no root needed): the failure
/// is told while the run goes on, the loop counts every step the log lost, the summary says what the log kept, and
/// the file gives back what it kept.
/// </summary>
public sealed class RecordingFailureTests : IDisposable
{
    // About a second of sim:reach at 100 Hz per chunk after the header: the file fills a few seconds into the run,
    // with chunks kept before it.
    private const int FileLimitKib = 32;
    private const string Token = "recording-failure-token";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_disk_filling_mid_run_is_told_at_once_the_run_goes_on_and_the_summary_says_what_the_log_kept()
    {
        string log = _directory.File("x.mcap");
        using var child = ControllerProcess.StartWithFileSizeLimit(FileLimitKib,
            ["run", "--robot", "sim:reach", "--mode", "teleop", "--episodes", "12", "--no-realtime", "--record", log, "--json"]);

        // Told while the robot runs: the warning, then more episodes after it.
        await child.WaitForErrorLineAsync(line => line.Contains("recording to " + log + " failed", StringComparison.Ordinal), Patience);
        var warning = child.StderrLines.Single(line => line.Contains("failed", StringComparison.Ordinal));
        Assert.Contains("file too large", warning);
        Assert.Contains("steps kept in the file", warning);
        Assert.Contains("the run goes on unrecorded", warning);
        var beforeWarning = child.StdoutLines.ToHashSet();
        await child.WaitForLineAsync(line => line.StartsWith("episode ", StringComparison.Ordinal) && !beforeWarning.Contains(line), Patience);

        int exit = await child.WaitForExitAsync(Patience);

        // The documented status of a run whose recording failed, and the summary printed all the same.
        Assert.True(exit == 3, $"exit code {exit}; stderr: {child.Stderr}");
        var summary = JsonDocument.Parse(child.StdoutLines[^1]).RootElement;
        Assert.Equal(12, summary.GetProperty("episodes").GetInt64());
        var recording = summary.GetProperty("recording");
        Assert.True(recording.GetProperty("failed").GetBoolean());
        Assert.False(recording.GetProperty("closed").GetBoolean());
        long kept = recording.GetProperty("steps_kept").GetInt64();
        long dropped = recording.GetProperty("steps_dropped_after_failure").GetInt64();
        Assert.True(kept > 0, "no chunk reached the file before it filled: the limit is too small for this test");
        Assert.True(dropped > 0);
        // Every step the loop ran is either in the file or counted as dropped.
        Assert.Equal(summary.GetProperty("ticks").GetInt64(), kept + dropped + summary.GetProperty("recorder_dropped_steps").GetInt64());
        Assert.Contains(child.StdoutLines, line => line.StartsWith(string.Create(CultureInfo.InvariantCulture,
            $"recording  FAILED (file too large"), StringComparison.Ordinal) && line.Contains(string.Create(CultureInfo.InvariantCulture,
            $"{kept} steps kept in {log}, {dropped} dropped after the failure; the run went on unrecorded (--on-recording-failure continue)"), StringComparison.Ordinal));
        Assert.Contains(child.StdoutLines, line => line.Contains($"`trainer log recover {log}`", StringComparison.Ordinal));

        // What the summary says was kept is what the file holds, and what recovery gives back.
        var partial = TeleopLogReader.Read(log, new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation });
        Assert.False(partial.WasClosed);
        Assert.Equal(kept, partial.StepCount);
        var recover = CliRun.Of(TrainerCli.Build(), "log", "recover", log, "--json");
        Assert.True(recover.ExitCode == 0, recover.Stderr);
        var recovered = TeleopLogReader.Read(recover.Json.GetProperty("output").GetString()!);
        Assert.True(recovered.WasClosed);
        Assert.Equal(kept, recovered.StepCount);
    }

    [Fact]
    public async Task With_on_recording_failure_stop_the_run_stops_safely_and_says_why()
    {
        string log = _directory.File("stop.mcap");
        using var child = ControllerProcess.StartWithFileSizeLimit(FileLimitKib,
            ["run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "10m", "--no-realtime", "--record", log, "--on-recording-failure", "stop", "--json"]);

        int exit = await child.WaitForExitAsync(Patience);

        Assert.True(exit == 3, $"exit code {exit}; stderr: {child.Stderr}");
        Assert.Contains(child.StderrLines, line => line.Contains("recording to " + log + " failed", StringComparison.Ordinal)
            && line.EndsWith("stopping the run (--on-recording-failure stop)", StringComparison.Ordinal));
        // The episode it cut short is ended with the reason, and the robot made safe as by any stop.
        Assert.Contains(child.StdoutLines, line => line.StartsWith("episode ", StringComparison.Ordinal) && line.EndsWith("(recording failed)", StringComparison.Ordinal));
        Assert.Contains("stopped because the recording failed (--on-recording-failure stop): devices halted and closed", child.StdoutLines);
        var summary = JsonDocument.Parse(child.StdoutLines[^1]).RootElement;
        Assert.Equal("recording failure", summary.GetProperty("stopped_by").GetString());
        var recording = summary.GetProperty("recording");
        Assert.True(recording.GetProperty("failed").GetBoolean());
        long kept = recording.GetProperty("steps_kept").GetInt64();
        Assert.Contains(child.StdoutLines, line => line.StartsWith("recording  FAILED", StringComparison.Ordinal)
            && line.EndsWith("the run was stopped for it (--on-recording-failure stop)", StringComparison.Ordinal));
        Assert.Equal(summary.GetProperty("ticks").GetInt64(), kept + recording.GetProperty("steps_dropped_after_failure").GetInt64());
        Assert.Equal(kept, TeleopLogReader.Read(log, new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation }).StepCount);
    }

    [Fact]
    public async Task A_recording_started_over_gRPC_that_fills_its_disk_is_an_event_and_a_status_flag_at_once()
    {
        string log = _directory.File("remote.mcap");
        // The limit once the run serves: its shared-memory link to the gateway is a file of a few MiB, made at start.
        using var child = ControllerProcess.StartWithFileSizeLimit(null,
            ["run", "--robot", "sim:reach", "--mode", "teleop", "--duration", "10m", "--no-realtime", "--grpc", "http://127.0.0.1:0", "--token", Token]);
        await child.WaitForLineAsync(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal), Patience);
        child.LimitFileSize(FileLimitKib);
        string address = child.StdoutLines.Single(line => line.StartsWith("gRPC listening on ", StringComparison.Ordinal))["gRPC listening on ".Length..].Split(' ')[0];
        using var channel = GrpcChannel.ForAddress(address);
        var auth = new Metadata { { "authorization", "Bearer " + Token } };
        var telemetry = new Telemetry.TelemetryClient(channel);
        var control = new Control.ControlClient(channel);
        using var watching = new CancellationTokenSource(Patience);
        using var events = telemetry.Events(new EventsRequest(), auth, cancellationToken: watching.Token);

        await control.StartRecordingAsync(new StartRecordingRequest { Path = log }, auth);
        Event failed;
        do
        {
            Assert.True(await events.ResponseStream.MoveNext(watching.Token), "the event stream ended");
            failed = events.ResponseStream.Current;
        }
        while (failed.Kind != EventKind.RecordingFailed);

        Assert.Contains($"recording to {log} failed: file too large", failed.Text);
        Assert.Contains("the run goes on unrecorded", failed.Text);
        var status = await telemetry.GetStatusAsync(new StatusRequest(), auth);
        Assert.True(status.RecordingFailed);
        Assert.Equal(log, status.Recording);
        Assert.StartsWith("file too large", status.RecordingError, StringComparison.Ordinal);
        Assert.True(status.RecordingStepsKept > 0, "no chunk reached the file before it filled: the limit is too small for this test");
        // The robot runs on, and the count of steps the log lost rises with it.
        var later = status;
        var deadline = DateTime.UtcNow + Patience;
        while (later.RecordingStepsDropped <= status.RecordingStepsDropped || later.Ticks <= status.Ticks)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dropped count never rose");
            await Task.Delay(20);
            later = await telemetry.GetStatusAsync(new StatusRequest(), auth);
        }
        Assert.True(later.RecordingFailed);
        Assert.Equal(status.RecordingStepsKept, later.RecordingStepsKept);

        // Stopping the failed recording says what was kept; the flag goes with it.
        var refused = await Assert.ThrowsAsync<RpcException>(() => control.StopRecordingAsync(new StopRecordingRequest(), auth).ResponseAsync);
        Assert.Equal(StatusCode.DataLoss, refused.StatusCode);
        Assert.Contains($"{status.RecordingStepsKept} steps kept in the file", refused.Status.Detail);
        var after = await telemetry.GetStatusAsync(new StatusRequest(), auth);
        Assert.False(after.RecordingFailed);
        Assert.Equal("", after.Recording);

        child.Signal("TERM");
        Assert.Equal(143, await child.WaitForExitAsync(Patience));
        Assert.Equal((long)status.RecordingStepsKept, TeleopLogReader.Read(log, new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation }).StepCount);
    }
}
