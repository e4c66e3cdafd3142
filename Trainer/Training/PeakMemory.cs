using System.Diagnostics;

namespace Robotics.Trainer.Training;

/// <summary>The most physical memory the process has held so far (Linux: VmHWM), what a streamed run's bound is about.</summary>
public static class PeakMemory
{
    public static long Bytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
