using Google.Protobuf;
using Robotics.Hardware.Robots;
using RobotStatus = Robotics.Protos.Control.Status;

namespace Robotics.Controller.Link;

/// <summary>
/// The robot's devices and their health counters, as the gateway's GetStatus reports them: a Status message holding
/// only its devices, serialized. Asked for (a DeviceCounters request), never refreshed on a timer: reading the counters
/// allocates, and the loop process allocates only when asked.
/// </summary>
public static class DeviceCounters
{
    /// <summary>The devices' counters in at most <paramref name="capacity"/> bytes (the last devices are left out if they do not fit).</summary>
    public static byte[] Serialize(IRobotHardware hardware, int capacity)
    {
        var status = new RobotStatus();
        foreach (var device in hardware.Devices)
        {
            var entry = new Protos.Control.DeviceStatus { Name = device.Name };
            foreach (var (name, value) in device.Counters)
            {
                entry.Counters[name] = value;
            }
            status.Devices.Add(entry);
            if (status.CalculateSize() > capacity)
            {
                status.Devices.RemoveAt(status.Devices.Count - 1);
                break;
            }
        }
        return status.ToByteArray();
    }
}
