namespace Robotics.Hardware.Devices;

/// <summary>
/// Counts what a device thread allocates once past its warm-up: a device thread that allocates brings on
/// collections, and a collection pauses the loop's thread too. The thread calls <see cref="Count"/> once per
/// period (or wake-up); any thread may read <see cref="Bytes"/>.
/// </summary>
public sealed class ThreadAllocationMeter
{
    /// <summary>Periods before counting starts: the first calls pay for JIT and first-time set-up.</summary>
    public const int WarmupPeriods = 20;

    private long _periods;
    private long _baseline;
    private long _bytes = -1;

    /// <summary>Bytes allocated by the thread after its warm-up; −1 until then.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>On the measured thread, after each period.</summary>
    public void Count()
    {
        if (++_periods == WarmupPeriods)
        {
            _baseline = Protos.ThreadAllocations.StartWindow();
        }
        else if (_periods > WarmupPeriods)
        {
            Interlocked.Exchange(ref _bytes, Protos.ThreadAllocations.Since(_baseline));
        }
    }
}
