using Robotics.Controller.Link;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Controller.Shared;
using Robotics.Controller.Timing;
using Robotics.Hardware.Robots;
using Robotics.Protos;

namespace Robotics.Controller.Benchmarks;

/// <summary>
/// What the link costs the loop's tick while an operator holds the lease: reading the operator's command from the
/// gateway's file (<see cref="GatewayFileReader.TryReadCommand"/>: one pread of the cell's sequence, and two more for the
/// cell and its sequence again when a new command arrived), on a link made for the robot, paced at the loop's rate on the
/// calling thread (call it from a thread set up like the loop's). A new command arrives every
/// <see cref="TicksPerCommand"/>th read.
/// </summary>
public static class LinkReadBenchmark
{
    /// <summary>An operator at 100 Hz (the override client's default rate) against a 1 kHz loop.</summary>
    public const int TicksPerCommand = 10;

    public static void Measure(RobotDescription robot, LoopOptions options, PolicyRunner? policy, int calls, long periodNs, Action<long> record)
    {
        // Made and removed here (the link's files are deleted by their creator on dispose).
        using var segments = LoopLink.CreateSegments(LinkPaths.Unique(), robot, options, policy);
        int actions = robot.Actions.Count;
        // The operator's commands, as the gateway writes them into its cell.
        var cell = new SharedCell<LinkCommand>(segments.Gateway.Slice(LinkGeometry.Command, SharedCell.BytesFor<LinkCommand>(actions)), actions);
        var command = new float[actions];
        var values = new float[actions];
        long deadline = MonotonicClock.NowNs() + periodNs;
        for (int i = 0; i < calls; i++)
        {
            AbsoluteSleeper.SleepUntil(deadline);
            deadline += periodNs;
            if (i % TicksPerCommand == 0)
            {
                cell.Publish(new LinkCommand { Lease = 1, Sequence = i / TicksPerCommand + 1, SentNs = MonotonicClock.NowNs() }, command);
            }
            long start = MonotonicClock.NowNs();
            if (!segments.GatewayReader.TryReadCommand(out _, values))
            {
                throw new InvalidOperationException("the benchmark's own command cell could not be read");
            }
            record(MonotonicClock.NowNs() - start);
        }
    }
}
