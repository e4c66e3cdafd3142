using Robotics.Hardware.Robots;

namespace Robotics.Controller.Loop;

/// <summary>
/// The last thing a controller does when it is told to end before its clean stop has finished (a second Ctrl+C):
/// halt every device and wait, within a bound, until each reports its safe state. Touches no bus itself: the device
/// threads send the safe state, so nothing is written to a bus from two threads at once.
/// </summary>
public static class ForcedHalt
{
    /// <summary>How long a forced exit waits for the devices: several periods of the slowest bus, short enough not to trap anyone.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(1);

    /// <summary>Halts every device and waits until all are safe or <paramref name="patience"/> runs out; returns those that were not.</summary>
    public static IReadOnlyList<string> Run(IRobotHardware hardware, TimeSpan patience)
    {
        hardware.Halt();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        using var pause = new ManualResetEventSlim();
        while (hardware.Devices.Any(d => !d.IsSafe) && waited.Elapsed < patience)
        {
            pause.Wait(5);
        }
        return [.. hardware.Devices.Where(d => !d.IsSafe).Select(d => d.Name)];
    }
}
