using Robotics.Protos.Log;

namespace Robotics.Protos.TeleopLog;

/// <summary>One step as spans, for <see cref="TeleopLogWriter.Append"/> (tools and tests writing a log from data).</summary>
public ref struct StepRecord
{
    /// <summary>Monotonic time of the tick (<see cref="MonotonicClock.NowNs"/>).</summary>
    public long TimestampNs { get; set; }
    public ulong EpisodeId { get; set; }
    public ulong Tick { get; set; }
    public ReadOnlySpan<float> Observation { get; set; }
    /// <summary>The action actually sent.</summary>
    public ReadOnlySpan<float> Action { get; set; }
    public ActionSource Source { get; set; }
    /// <summary>The head whose outputs follow (None: no policy ran, and they are empty).</summary>
    public HeadKind Head { get; set; }
    /// <summary>Gaussian policy output, or empty when no Gaussian policy ran.</summary>
    public ReadOnlySpan<float> PolicyMean { get; set; }
    /// <summary>Gaussian policy output, or empty when no Gaussian policy ran.</summary>
    public ReadOnlySpan<float> PolicyLogStd { get; set; }
    /// <summary>Categorical policy output, or empty when no categorical policy ran.</summary>
    public ReadOnlySpan<float> PolicyLogits { get; set; }
    /// <summary>OR of <see cref="StepFlag"/> values.</summary>
    public StepFlag Flags { get; set; }
    /// <summary>How late the tick started after its deadline.</summary>
    public uint LatenessNs { get; set; }
    /// <summary>Time the policy took this tick.</summary>
    public uint InferenceNs { get; set; }
    /// <summary>The tick's work from sensor read to actuator write.</summary>
    public uint WorkNs { get; set; }
    /// <summary>The override operator who drove the tick; null or empty when it was the episode's operator (or nobody's).</summary>
    public string? Operator { get; set; }
}
