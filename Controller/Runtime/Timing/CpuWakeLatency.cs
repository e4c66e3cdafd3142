namespace Robotics.Controller.Timing;

/// <summary>
/// Asks the kernel's PM QoS for zero CPU wake-up latency while held (writing 0 to /dev/cpu_dma_latency and
/// keeping it open: kernel Documentation/power/pm_qos_interface.rst), so idle cores stay out of the deep
/// C-states whose exit time would add tens of microseconds to every wake-up. cyclictest does the same.
/// </summary>
public sealed class CpuWakeLatency : IDisposable
{
    private const string Path = "/dev/cpu_dma_latency";
    private readonly FileStream? _request;

    private CpuWakeLatency(FileStream? request, string? refused)
    {
        _request = request;
        Refused = refused;
    }

    /// <summary>Why the request could not be made (no such device, not permitted), or null.</summary>
    public string? Refused { get; }

    public static CpuWakeLatency RequestZero()
    {
        try
        {
            var stream = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            stream.Write(BitConverter.GetBytes(0));
            return new CpuWakeLatency(stream, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CpuWakeLatency(null, $"could not hold CPUs out of deep idle states ({Path}: {e.Message}); wake-ups may be slower");
        }
    }

    public void Dispose() => _request?.Dispose();
}
