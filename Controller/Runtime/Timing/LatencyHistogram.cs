using System.Numerics;

namespace Robotics.Controller.Timing;

/// <summary>Percentiles of a histogram, in nanoseconds.</summary>
public readonly record struct LatencySummary(long Count, double P50, double P99, double P999, double Max, double Mean)
{
    /// <summary>The same figures in microseconds.</summary>
    public LatencySummary InMicroseconds() => new(Count, P50 / 1e3, P99 / 1e3, P999 / 1e3, Max / 1e3, Mean / 1e3);
}

/// <summary>
/// A fixed-size log-linear histogram of durations in nanoseconds (HdrHistogram's layout with 32 sub-buckets
/// per power of two: every value is kept to within 3%), recorded from the loop thread without allocation.
/// Exact below 64 ns, clamped above 2^40 ns (18 minutes).
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 5;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int LinearLimit = 2 * SubBuckets;
    private const int MaxExponent = 40;
    private const int BucketCount = LinearLimit + (MaxExponent - SubBucketBits - 1) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _max;
    private double _sum;

    public long Count => Volatile.Read(ref _count);

    public void Record(long nanoseconds)
    {
        long value = Math.Max(0, nanoseconds);
        _counts[Index(value)]++;
        _sum += value;
        if (value > _max)
        {
            _max = value;
        }
        Volatile.Write(ref _count, _count + 1);
    }

    public void Clear()
    {
        Array.Clear(_counts);
        _count = 0;
        _max = 0;
        _sum = 0;
    }

    /// <summary>Percentiles so far (read from another thread they are a near-consistent snapshot).</summary>
    public LatencySummary Summarize()
    {
        long count = Count;
        if (count == 0)
        {
            return default;
        }
        return new LatencySummary(count, Quantile(0.5, count), Quantile(0.99, count), Quantile(0.999, count), _max, _sum / count);
    }

    private double Quantile(double q, long count)
    {
        long rank = Math.Max(1, (long)Math.Ceiling(q * count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Midpoint(i), _max);
            }
        }
        return _max;
    }

    private static int Index(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }
        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        if (exponent >= MaxExponent)
        {
            return BucketCount - 1;
        }
        int shift = exponent - SubBucketBits;
        return LinearLimit + (shift - 1) * SubBuckets + (int)((value >> shift) - SubBuckets);
    }

    private static double Midpoint(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }
        int shift = (index - LinearLimit) / SubBuckets + 1;
        long sub = (index - LinearLimit) % SubBuckets + SubBuckets;
        long low = sub << shift;
        return low + ((1L << shift) - 1) / 2.0;
    }
}
