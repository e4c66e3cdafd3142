using System.Diagnostics;
using Robotics.Controller.Timing;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Dynamixel;
using Robotics.Hardware.Buses.Feetech;
using Robotics.Emulators;

namespace Robotics.Controller.Benchmarks;

/// <summary>What the halt benchmark measured.</summary>
/// <param name="Halt">From <c>Halt()</c> to the device reporting every servo's torque off read back.</param>
/// <param name="Stop">From <c>Stop()</c> on a driven chain to its return: the halt confirmed and the bus closed.</param>
public sealed record ServoHaltResult(string Protocol, int Servos, int Halts, LatencySummary Halt, TimeSpan Stop);

/// <summary>
/// How long a servo chain device takes to halt, as the robot's stop and emergency stop use it: the device as
/// configured by default (5 ms period, torque off confirmed by a read-back) against emulated servos over a socat
/// pseudo-terminal pair, driven, halted and resumed again and again.
/// </summary>
public static class ServoHaltBenchmark
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static ServoHaltResult Run(string protocol, int servos, int baudRate, int halts)
    {
        byte[] ids = [.. Enumerable.Range(1, servos).Select(i => (byte)i)];
        using var line = new PseudoTerminalPair();
        var settings = new ServoChainSettings(line.Driver, baudRate, ids, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), 2, TimeSpan.Zero,
            new ServoHaltPolicy(ServoHaltMode.TorqueOff, [], TimeSpan.FromMilliseconds(100)));
        var (table, emulator, chain) = protocol switch
        {
            DynamixelServos.Type => (DynamixelServos.Table, (ServoEmulator)new DynamixelEmulator(line.Device, ids), (ServoChain)new DynamixelServos("arm", settings)),
            FeetechServos.Type => (FeetechServos.Table, new FeetechEmulator(line.Device, ids), new FeetechServos("arm", settings)),
            _ => throw new ArgumentException($"--protocol: must be one of {string.Join(", ", ServoBusBenchmark.Protocols)}"),
        };
        using var disposeEmulator = emulator;
        using var disposeChain = chain;
        var goals = Enumerable.Repeat(2048f, servos).ToArray();
        var histogram = new LatencyHistogram();
        chain.Start();
        // Ten first halts to warm up (JIT, the pseudo-terminal's first reads), not counted.
        for (int i = -10; i < halts; i++)
        {
            chain.Resume();
            chain.WriteOutputs(goals);
            Await(() => ids.All(id => emulator.ReadByte(id, table.TorqueEnable) == 1), "torque on");
            long start = Stopwatch.GetTimestamp();
            chain.Halt();
            Await(() => chain.IsSafe, "the halt confirmed");
            if (i >= 0)
            {
                histogram.Record((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
            }
            Await(() => ids.All(id => emulator.ReadByte(id, table.TorqueEnable) == 0), "torque off on the emulated servos");
        }
        chain.Resume();
        chain.WriteOutputs(goals);
        Await(() => ids.All(id => emulator.ReadByte(id, table.TorqueEnable) == 1), "torque on");
        var stop = Stopwatch.StartNew();
        chain.Stop();
        stop.Stop();
        return new ServoHaltResult(protocol, servos, halts, histogram.Summarize(), stop.Elapsed);
    }

    private static void Await(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > Patience)
            {
                throw new TimeoutException($"the emulated servos showed no {what} within {Patience.TotalSeconds:F0} s");
            }
            Thread.Yield();
        }
    }
}
