using Robotics.Hardware.Devices;
using Robotics.Protos;

namespace Robotics.Controller.Cli;

/// <summary>
/// What <c>controller check</c> saw of each device's samples over a watch: the latest inputs, how many new
/// samples came, the device's own poll count over the watch, and the longest any sample was the newest (what a
/// source's age limit is judged against: the loop would have faulted at that age).
/// </summary>
internal sealed class SampleWatch
{
    // Finer than the age limits that matter (tens of ms); the rate comes from the devices' own poll counts.
    private static readonly TimeSpan LookInterval = TimeSpan.FromMilliseconds(2);

    private readonly long[] _sampledAt;
    private readonly long[] _worstAgeNs;
    private readonly long?[] _pollsAtStart;
    private readonly long?[] _pollsAtEnd;

    private SampleWatch(IReadOnlyList<IDevice> devices)
    {
        Inputs = [.. devices.Select(d => new float[d.Inputs.Count])];
        // The sample each device took when it started is where the watch begins; it is not counted as new.
        _sampledAt = [.. devices.Select((d, i) => d.ReadLatest(Inputs[i]))];
        _worstAgeNs = new long[devices.Count];
        NewSamples = new long[devices.Count];
        _pollsAtStart = [.. devices.Select(Polls)];
        _pollsAtEnd = new long?[devices.Count];
    }

    public float[][] Inputs { get; }

    public long[] NewSamples { get; }

    public double Seconds { get; private set; }

    /// <summary>
    /// Watches <paramref name="devices"/> for <paramref name="duration"/>, or until cancelled (what was seen by then).
    /// On this thread, waking on a wait handle: a timer's continuation would need a thread-pool thread, and on a
    /// busy machine the first one can be a second coming, a second in which nothing would be looked at.
    /// </summary>
    public static SampleWatch Run(IReadOnlyList<IDevice> devices, TimeSpan duration, CancellationToken cancellation)
    {
        var watch = new SampleWatch(devices);
        long start = MonotonicClock.NowNs();
        long end = start + (long)(duration.TotalMilliseconds * 1e6);
        do
        {
            watch.Look(devices, MonotonicClock.NowNs());
        }
        while (MonotonicClock.NowNs() < end && !cancellation.WaitHandle.WaitOne(LookInterval));
        long now = MonotonicClock.NowNs();
        watch.Look(devices, now);
        watch.Seconds = (now - start) / 1e9;
        for (int d = 0; d < devices.Count; d++)
        {
            watch._pollsAtEnd[d] = Polls(devices[d]);
        }
        return watch;
    }

    public bool HasSample(int device) => _sampledAt[device] != long.MinValue;

    /// <summary>The longest a sample of the device was the newest during the watch, in ms; infinite with none.</summary>
    public double WorstAgeMs(int device) => HasSample(device) ? _worstAgeNs[device] / 1e6 : double.PositiveInfinity;

    /// <summary>Samples a second over the watch: the device's own polls where it counts them, else the new samples seen.</summary>
    public double? SamplesPerSecond(int device) =>
        Seconds <= 0 ? null : (_pollsAtEnd[device] - _pollsAtStart[device] ?? NewSamples[device]) / Seconds;

    private static long? Polls(IDevice device) => device.Counters.TryGetValue("polls", out long polls) ? polls : null;

    private void Look(IReadOnlyList<IDevice> devices, long now)
    {
        for (int d = 0; d < devices.Count; d++)
        {
            long at = devices[d].ReadLatest(Inputs[d]);
            if (at != long.MinValue && at != _sampledAt[d])
            {
                // The previous sample was the newest until this one was taken.
                NoteAge(d, at);
                _sampledAt[d] = at;
                NewSamples[d]++;
            }
            NoteAge(d, now);
        }
    }

    private void NoteAge(int device, long now)
    {
        if (HasSample(device))
        {
            _worstAgeNs[device] = Math.Max(_worstAgeNs[device], now - _sampledAt[device]);
        }
    }
}
