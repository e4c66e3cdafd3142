using System.Diagnostics;
using Robotics.Controller.Recording;
using Robotics.Controller.Ticks;
using Robotics.Controller.Timing;
using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;

namespace Robotics.Controller.Benchmarks;

/// <summary>What to record in a log-append benchmark.</summary>
public sealed record LogBenchmarkSettings
{
    public int Observations { get; init; } = 64;
    public int Actions { get; init; } = 8;
    /// <summary>Steps to append after the warm-up.</summary>
    public long Steps { get; init; } = 200_000;
    /// <summary>Append at this rate like a control loop (drops counted), or as fast as the writer keeps up when 0.</summary>
    public double RateHz { get; init; }
    public int EpisodeLength { get; init; } = 1000;
    public required string OutputPath { get; init; }
    public TeleopLogWriterOptions Writer { get; init; } = new();
    /// <summary>Records the tick ring holds (a power of two), as <see cref="Loop.LoopOptions.TickRingCapacity"/>.</summary>
    public int RingCapacity { get; init; } = 16384;
}

/// <summary>The figures of one run.</summary>
public sealed record LogBenchmarkResult(
    McapCompression Compression,
    long Steps,
    SampleStatistics AppendNs,
    double AllocatedBytesPerAppend,
    double StepsPerSecond,
    double FileMegabytesPerSecond,
    long FileBytes,
    long UncompressedChunkBytes,
    long CompressedChunkBytes,
    long DroppedSteps,
    double Seconds)
{
    public double CompressionRatio => CompressedChunkBytes == 0 ? 0 : (double)UncompressedChunkBytes / CompressedChunkBytes;
}

/// <summary>
/// Measures a tick's hand-off to the recorder as the control loop sees it — one <see cref="TickRing.Write"/>: time
/// per call, bytes allocated per call — and the recorder thread's sustained throughput to disk, by recording
/// synthetic ticks (observations, the action sent, the policy's mean and log σ) through a real
/// <see cref="TickRecorder"/> into a real file.
/// </summary>
public static class LogAppendBenchmark
{
    private const int WarmupSteps = 5000;
    private const string EpisodeEndReason = "benchmark episode length";

    /// <param name="started">Called once recording has begun (after warm-up), e.g. to tell a watching process.</param>
    public static LogBenchmarkResult Run(LogBenchmarkSettings settings, Action? started = null)
    {
        double nominalRate = settings.RateHz > 0 ? settings.RateHz : 1000;
        var robot = new EpisodeInfo(
            "bench",
            [.. Enumerable.Range(0, settings.Observations).Select(i => new SignalSpec($"obs{i}", "1"))],
            [.. Enumerable.Range(0, settings.Actions).Select(i => new SignalSpec($"act{i}", "1"))],
            nominalRate,
            task: "log append benchmark",
            @operator: "synthetic");
        // Sensors and commands are quantized like 12-bit encoders and DACs; the policy's outputs are not.
        var observations = new SyntheticTelemetry(settings.Observations, nominalRate, seed: 1, levels: 4096);
        var actions = new SyntheticTelemetry(settings.Actions, nominalRate, seed: 2, levels: 4096);
        var policy = new SyntheticTelemetry(2 * settings.Actions, nominalRate, seed: 3, levels: 0);
        var latencies = new double[settings.Steps];
        double nsPerTick = 1e9 / Stopwatch.Frequency;
        long periodNs = settings.RateHz > 0 ? (long)(1e9 / settings.RateHz) : 0;

        var ring = new TickRing(settings.RingCapacity, new TickLayout(settings.Observations, settings.Actions, 2 * settings.Actions));
        var reasons = new EndReasons();
        using var recorder = TickRecorder.Create(settings.OutputPath, robot, settings.Writer);
        // Throughput mode measures the recorder's capacity: the producer waits for it, as an unpaced loop does,
        // instead of overwriting ticks (which the recorder would rightly count as lost).
        recorder.Start(ring, reasons, robot, start: 0, gateTheWriter: periodNs == 0);
        var episode = new EpisodeCursor(ring, reasons.CodeOf(EpisodeEndReason), settings.EpisodeLength);
        for (long tick = 0; tick < WarmupSteps; tick++)
        {
            Append(ring, episode.Next(tick), tick, observations, actions, policy);
        }
        if (periodNs > 0)
        {
            // The first clock_nanosleep call binds the native function (a one-time allocation): do it now.
            AbsoluteSleeper.SleepUntil(MonotonicClock.NowNs());
        }
        started?.Invoke();

        long begin = MonotonicClock.NowNs();
        long allocatedBefore = ThreadAllocations.StartWindow();
        for (long i = 0; i < settings.Steps; i++)
        {
            long tick = WarmupSteps + i;
            ulong episodeId = episode.Next(tick);
            if (periodNs > 0)
            {
                AbsoluteSleeper.SleepUntil(begin + i * periodNs);
            }
            latencies[i] = Append(ring, episodeId, tick, observations, actions, policy) * nsPerTick;
        }
        long allocated = ThreadAllocations.Since(allocatedBefore);
        episode.Finish();
        recorder.Stop(ring.Published);
        long dropped = recorder.DroppedSteps;
        double seconds = (MonotonicClock.NowNs() - begin) / 1e9;

        long fileBytes = new FileInfo(settings.OutputPath).Length;
        using var reader = McapIndexedReader.Open(settings.OutputPath);
        long uncompressed = reader.ChunkIndexes.Sum(c => (long)c.UncompressedSize);
        long compressed = reader.ChunkIndexes.Sum(c => (long)c.CompressedSize);
        return new LogBenchmarkResult(
            settings.Writer.Compression,
            settings.Steps,
            SampleStatistics.Of(latencies),
            (double)allocated / settings.Steps,
            settings.Steps / seconds,
            fileBytes / 1e6 / seconds,
            fileBytes,
            uncompressed,
            compressed,
            dropped,
            seconds);
    }

    /// <summary>Writes one step as the loop does; returns the write's duration in Stopwatch ticks.</summary>
    private static long Append(TickRing ring, ulong episodeId, long tick, SyntheticTelemetry observations, SyntheticTelemetry actions, SyntheticTelemetry policy)
    {
        WaitForGate(ring);
        var header = new TickHeader
        {
            Kind = TickKind.Step,
            TimestampNs = MonotonicClock.NowNs(),
            LoopTick = tick,
            Episode = episodeId,
            EpisodeTick = (ulong)tick,
            Source = ActionSource.Policy,
            Head = HeadKind.Gaussian,
        };
        var observation = observations.Row(tick);
        var action = actions.Row(tick);
        var outputs = policy.Row(tick);
        long t0 = Stopwatch.GetTimestamp();
        ring.Write(header, observation, action, outputs);
        return Stopwatch.GetTimestamp() - t0;
    }

    private static void WaitForGate(TickRing ring)
    {
        var spin = default(SpinWait);
        while (ring.GateIsFull)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>Starts and ends episodes of a fixed length as the ticks go by.</summary>
    private sealed class EpisodeCursor(TickRing ring, ushort endReason, int length)
    {
        private ulong _episode;
        private bool _open;

        public ulong Next(long tick)
        {
            if (tick % length == 0)
            {
                Finish();
                _episode++;
                WaitForGate(ring);
                ring.WriteEpisodeRecord(new TickHeader { Kind = TickKind.EpisodeStart, TimestampNs = MonotonicClock.NowNs(), LoopTick = tick, Episode = _episode });
                _open = true;
            }
            return _episode;
        }

        public void Finish()
        {
            if (_open)
            {
                WaitForGate(ring);
                ring.WriteEpisodeRecord(new TickHeader { Kind = TickKind.EpisodeEnd, TimestampNs = MonotonicClock.NowNs(), Episode = _episode, Outcome = EpisodeOutcome.Success, Reason = endReason });
                _open = false;
            }
        }
    }
}
