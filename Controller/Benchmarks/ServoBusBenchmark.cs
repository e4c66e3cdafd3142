using System.Diagnostics;
using Robotics.Controller.Timing;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Dynamixel;
using Robotics.Hardware.Buses.Feetech;
using Robotics.Emulators;

namespace Robotics.Controller.Benchmarks;

/// <summary>What one run of the servo-bus benchmark measured.</summary>
/// <param name="Transaction">One sync read of every servo's velocity and position plus one sync write of every goal, back to back.</param>
/// <param name="CpuFraction">CPU time of the thread doing the transactions over its wall-clock time, as a device thread runs them.</param>
public sealed record ServoBusResult(string Protocol, int Servos, int BaudRate, long Transactions, LatencySummary Transaction, double CpuFraction, long Retries, long Failures);

/// <summary>
/// A servo bus as its device (<c>dynamixel</c> or <c>feetech-sts</c>) drives it, back to back, against emulated
/// servos on the far end of a socat pseudo-terminal pair: the round trip of a period's work and what it costs
/// the thread.
/// </summary>
public static class ServoBusBenchmark
{
    /// <summary>The protocols it measures, by their device type.</summary>
    public static IReadOnlyList<string> Protocols { get; } = [DynamixelServos.Type, FeetechServos.Type];

    public static ServoBusResult Run(string protocol, int servos, int baudRate, TimeSpan duration)
    {
        byte[] ids = [.. Enumerable.Range(1, servos).Select(i => (byte)i)];
        var timeout = TimeSpan.FromMilliseconds(100);
        using var line = new PseudoTerminalPair();
        var (table, emulator, bus) = protocol switch
        {
            DynamixelServos.Type => (DynamixelServos.Table, (ServoEmulator)new DynamixelEmulator(line.Device, ids), (ServoBus)new DynamixelBus(line.Driver, baudRate, timeout)),
            FeetechServos.Type => (FeetechServos.Table, new FeetechEmulator(line.Device, ids), new FeetechBus(line.Driver, baudRate, timeout)),
            _ => throw new ArgumentException($"--protocol: must be one of {string.Join(", ", Protocols)}"),
        };
        using var disposeEmulator = emulator;
        using var disposeBus = bus;
        var present = new byte[servos * table.PresentLength];
        var goals = new byte[servos * table.GoalWidth];
        var histogram = new LatencyHistogram();
        // Warm-up: first calls pay for JIT and the pseudo-terminal's first reads.
        for (int i = 0; i < 200; i++)
        {
            bus.SyncRead(table.Present, (ushort)table.PresentLength, ids, present);
            bus.SyncWrite(table.Goal, (ushort)table.GoalWidth, ids, goals);
        }
        long cpuStart = ThreadCpuTime.NowNs();
        var wall = Stopwatch.StartNew();
        long transactions = 0;
        while (wall.Elapsed < duration)
        {
            long start = Stopwatch.GetTimestamp();
            bus.SyncRead(table.Present, (ushort)table.PresentLength, ids, present);
            bus.SyncWrite(table.Goal, (ushort)table.GoalWidth, ids, goals);
            histogram.Record((long)((Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency)));
            transactions++;
        }
        double cpu = (ThreadCpuTime.NowNs() - cpuStart) / (wall.Elapsed.TotalSeconds * 1e9);
        return new ServoBusResult(protocol, servos, baudRate, transactions, histogram.Summarize(), cpu, bus.RetriedTransactions, bus.FailedTransactions);
    }
}
