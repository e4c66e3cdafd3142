using System.Diagnostics;
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
/// Measures <see cref="TeleopLogWriter.TryAppend"/> as the control loop sees it — time per call, bytes
/// allocated per call — and the writer thread's sustained throughput to disk, by recording synthetic ticks
/// (observations, the action sent, the policy's mean and log σ) into a real file.
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

        var writer = TeleopLogWriter.Create(settings.OutputPath, robot, settings.Writer);
        var episode = new EpisodeCursor(writer, settings.EpisodeLength);
        var backlog = new BacklogLimit(writer, settings.Writer.RingCapacity);
        for (long tick = 0; tick < WarmupSteps; tick++)
        {
            backlog.WaitForRoom(tick);
            writer.TryAppend(Step(episode.Next(tick), tick, observations, actions, policy));
        }
        if (periodNs > 0)
        {
            // The first clock_nanosleep call binds the native function (a one-time allocation): do it now.
            AbsoluteSleeper.SleepUntil(MonotonicClock.NowNs());
        }
        started?.Invoke();

        long begin = MonotonicClock.NowNs();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (long i = 0; i < settings.Steps; i++)
        {
            long tick = WarmupSteps + i;
            ulong episodeId = episode.Next(tick);
            if (periodNs > 0)
            {
                AbsoluteSleeper.SleepUntil(begin + i * periodNs);
            }
            else
            {
                backlog.WaitForRoom(tick);
            }
            var step = Step(episodeId, tick, observations, actions, policy);
            long t0 = Stopwatch.GetTimestamp();
            writer.TryAppend(step);
            long t1 = Stopwatch.GetTimestamp();
            latencies[i] = (t1 - t0) * nsPerTick;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        episode.Finish();
        long dropped = writer.DroppedSteps;
        writer.Dispose();
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

    private static StepRecord Step(ulong episodeId, long tick, SyntheticTelemetry observations, SyntheticTelemetry actions, SyntheticTelemetry policy) => new()
    {
        TimestampNs = MonotonicClock.NowNs(),
        EpisodeId = episodeId,
        Tick = (ulong)tick,
        Observation = observations.Row(tick),
        Action = actions.Row(tick),
        Source = ActionSource.Policy,
        PolicyMean = policy.Row(tick)[..actions.Width],
        PolicyLogStd = policy.Row(tick)[actions.Width..],
    };

    /// <summary>
    /// Throughput mode measures the writer thread's capacity, so the producer waits while the ring is nearly
    /// full instead of having steps refused (which the writer would rightly record as dropped).
    /// </summary>
    private sealed class BacklogLimit(TeleopLogWriter writer, int ringCapacity)
    {
        // Below capacity by more than the writer's release batch plus the slots episode markers may take.
        private readonly long _limit = ringCapacity - 256;

        public void WaitForRoom(long appended)
        {
            var spin = new SpinWait();
            while (appended - writer.WrittenSteps >= _limit)
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>Starts and ends episodes of a fixed length as the ticks go by.</summary>
    private sealed class EpisodeCursor(TeleopLogWriter writer, int length)
    {
        private ulong _episode;
        private bool _open;

        public ulong Next(long tick)
        {
            if (tick % length == 0)
            {
                Finish();
                _episode++;
                writer.TryBeginEpisode(_episode, MonotonicClock.NowNs());
                _open = true;
            }
            return _episode;
        }

        public void Finish()
        {
            if (_open)
            {
                writer.TryEndEpisode(_episode, MonotonicClock.NowNs(), EpisodeOutcome.Success, EpisodeEndReason);
                _open = false;
            }
        }
    }
}
