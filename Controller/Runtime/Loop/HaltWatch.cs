using Robotics.Hardware.Devices;
using Robotics.Protos;

namespace Robotics.Controller.Loop;

/// <summary>
/// Turns a device's overdue halt confirmation into one event naming the device and its unconfirmed parts, e.g.
/// "follower: servo 3, servo 4 did not confirm the halt (torque off) within its budget; sent again each period". Checked
/// from the event hub's thread, never the loop's.
/// </summary>
internal sealed class HaltWatch(IReadOnlyList<IDevice> devices)
{
    private readonly long[] _overdueSeen = new long[devices.Count];

    /// <summary>Publishes an event for each halt that went overdue since the last check; allocates nothing when none did.</summary>
    public void Check(SnapshotCell<LoopStatus> status, Action<LoopEvent> publish)
    {
        for (int i = 0; i < devices.Count; i++)
        {
            var confirmation = devices[i].HaltConfirmation;
            if (confirmation.Overdue == _overdueSeen[i])
            {
                continue;
            }
            _overdueSeen[i] = confirmation.Overdue;
            var now = status.Read();
            publish(new LoopEvent(LoopEventKind.HaltUnconfirmed, MonotonicClock.NowNs(), now.Episode, now.EpisodeTick,
                Text: Describe(devices[i].Name, confirmation), Mode: now.Mode));
        }
    }

    /// <summary>What an operator reads: the device, the parts, the halt, and that it is still being sent.</summary>
    public static string Describe(string device, HaltConfirmation confirmation)
    {
        string parts = confirmation.Unconfirmed.Count == 0 ? "a part (it has confirmed since)" : string.Join(", ", confirmation.Unconfirmed);
        return $"{device}: {parts} did not confirm the halt ({confirmation.Halt}) in time; it is sent again each period";
    }
}
