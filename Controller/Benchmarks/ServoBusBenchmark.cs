using System.Diagnostics;
using Robotics.Controller.Timing;
using Robotics.Hardware.Buses.Dynamixel;

namespace Robotics.Controller.Benchmarks;

/// <summary>What one run of the servo-bus benchmark measured.</summary>
/// <param name="Transaction">One sync read of every servo's velocity and position plus one sync write of every goal, back to back.</param>
/// <param name="CpuFraction">CPU time of the thread doing the transactions over its wall-clock time, as a device thread runs them.</param>
public sealed record ServoBusResult(int Servos, int BaudRate, long Transactions, LatencySummary Transaction, double CpuFraction, long Retries, long Failures);

/// <summary>
/// A Dynamixel bus as the <c>dynamixel</c> device drives it, back to back, against emulated servos on the far
/// end of a socat pseudo-terminal pair: the round trip of a period's work and what it costs the thread.
/// </summary>
public static class ServoBusBenchmark
{
    // Same as DynamixelServos: Present Velocity and Present Position at 128, 8 bytes; Goal Position at 116.
    private const ushort PresentVelocity = 128;
    private const ushort GoalPosition = 116;

    public static ServoBusResult Run(int servos, int baudRate, TimeSpan duration)
    {
        byte[] ids = [.. Enumerable.Range(1, servos).Select(i => (byte)i)];
        using var line = new PseudoTerminalPair();
        using var emulator = new DynamixelEmulator(line.Device, ids);
        using var bus = new DynamixelBus(line.Driver, baudRate, TimeSpan.FromMilliseconds(100));
        var present = new byte[servos * 8];
        var goals = new byte[servos * 4];
        var histogram = new LatencyHistogram();
        // Warm-up: first calls pay for JIT and the pseudo-terminal's first reads.
        for (int i = 0; i < 200; i++)
        {
            bus.SyncRead(PresentVelocity, 8, ids, present);
            bus.SyncWrite(GoalPosition, 4, ids, goals);
        }
        long cpuStart = ThreadCpuTime.NowNs();
        var wall = Stopwatch.StartNew();
        long transactions = 0;
        while (wall.Elapsed < duration)
        {
            long start = Stopwatch.GetTimestamp();
            bus.SyncRead(PresentVelocity, 8, ids, present);
            bus.SyncWrite(GoalPosition, 4, ids, goals);
            histogram.Record((long)((Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency)));
            transactions++;
        }
        double cpu = (ThreadCpuTime.NowNs() - cpuStart) / (wall.Elapsed.TotalSeconds * 1e9);
        return new ServoBusResult(servos, baudRate, transactions, histogram.Summarize(), cpu, bus.RetriedTransactions, bus.FailedTransactions);
    }
}
