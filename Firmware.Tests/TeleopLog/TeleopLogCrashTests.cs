using System.Diagnostics;
using Robotics.Protos;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;
using Xunit.Abstractions;

namespace Robotics.Tests.TeleopLog;

/// <summary>
/// A real recording process (<c>controller bench log</c> appending at 1 kHz, as a control loop would) is
/// killed with SIGKILL mid-recording; everything up to the last complete chunk must survive.
/// </summary>
public sealed class TeleopLogCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_recording_killed_with_SIGKILL_loses_at_most_one_chunk_and_recovers_to_a_valid_file()
    {
        string path = _directory.File("killed.mcap");
        var start = new ProcessStartInfo("dotnet",
            [RepoPaths.ControllerDll, "bench", "log", "--rate", "1000", "--steps", "600000", "--codec", "zstd", "--observations", "16", "--actions", "4", "--output", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var recorder = Process.Start(start)!;
        var started = new TaskCompletionSource();
        recorder.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith("recording", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        recorder.BeginOutputReadLine();
        var stderr = recorder.StandardError.ReadToEndAsync();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        long killedAt = MonotonicClock.NowNs();
        recorder.Kill(); // SIGKILL on Linux: no finalizers, no flush, no summary.
        await recorder.WaitForExitAsync();
        Assert.True(recorder.ExitCode != 0, "the recorder was supposed to die, not finish: " + await stderr);

        // Not closed: the index is missing and a strict read says so.
        Assert.Throws<McapFormatException>(() => McapIndexedReader.Open(path));

        var survived = TeleopLogReader.Read(path, new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation });
        Assert.False(survived.WasClosed);
        var steps = survived.Episodes.SelectMany(e => e.Steps).ToList();
        Assert.True(steps.Count > 2000, $"only {steps.Count} steps survived 3.5 s at 1 kHz");
        for (int i = 1; i < steps.Count; i++)
        {
            Assert.True(steps[i].Tick == steps[i - 1].Tick + 1, $"a gap before tick {steps[i].Tick}: steps were lost inside the surviving chunks");
        }

        // The loss is bounded by one chunk: 1 s of chunk duration plus the writer's poll and the OS's
        // scheduling slack on a shared machine.
        double lostSeconds = (killedAt - (long)steps[^1].TimestampNs) / 1e9;
        output.WriteLine($"{steps.Count} steps survived; the last was recorded {lostSeconds:F3} s before the kill");
        Assert.InRange(lostSeconds, 0, 1.5);

        string recovered = _directory.File("recovered.mcap");
        var report = McapRecovery.Recover(path, recovered);
        Assert.False(report.InputWasClosed);
        using (var indexed = McapIndexedReader.Open(recovered))
        {
            Assert.Equal(indexed.Statistics!.MessageCount, (ulong)indexed.ReadMessages().Count());
        }
        Assert.Equal(steps.Count, TeleopLogReader.Read(recovered).StepCount);
    }
}
