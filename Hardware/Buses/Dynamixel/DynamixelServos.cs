using System.Buffers.Binary;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>
/// The <c>dynamixel</c> device: Dynamixel X-series servos (XL330, XL430, XM430: the Koch arm, the
/// OpenManipulator) on one Protocol 2.0 bus. Position 0–4095 per turn, 2048 at the centre; velocity 0.229 rpm
/// per unit (X-series control tables, RAM area). On open each servo's model is checked and its settings and
/// position limits set (<see cref="DynamixelSetup"/>).
/// <para>
/// Each servo's Bus Watchdog (98) is set on open: a servo that hears no instruction packet for
/// <c>bus_watchdog_ms</c> while its torque is on stops where it is and refuses goals, so a controller killed by
/// SIGKILL, a host that lost power or a cut cable leaves the arm still rather than on its way to an old goal. Our
/// chain talks every period, so only a dead controller or bus trips it. Opening clears a trip left by a crash
/// (writing 0, then the setting); a clean stop clears it after turning torque off.
/// </para>
/// </summary>
public sealed class DynamixelServos(string name, ServoChainSettings settings) : ServoChain(name, settings, Table, DynamixelSetup.Table)
{
    public const string Type = "dynamixel";

    /// <summary>Bus Watchdog, one signed byte (X-series control table).</summary>
    public const ushort BusWatchdog = 98;

    private readonly ServoChainSettings _settings = settings;

    // Torque Enable 64; Goal Position 116 (4 bytes); Present Velocity (4) at 128 then Present Position (4) at 132.
    public static readonly ServoTable Table = new(TorqueEnable: 64, Goal: 116, GoalWidth: 4, Present: 128, PresentLength: 8);

    public static IDevice FromConfig(DeviceConfig config) => new DynamixelServos(config.Name!, ServoChainSettings.From(config, hasBusWatchdog: true));

    protected override ServoBus OpenBus(ServoChainSettings settings) => new DynamixelBus(settings.Port, settings.Baud, settings.Timeout, settings.Retries);

    protected override void Ping(ServoBus bus, byte id) => ((DynamixelBus)bus).Ping(id);

    protected override void Prepare(ServoBus bus)
    {
        // 0 first: it clears a watchdog error a crashed run left (the servos refuse goals until then).
        WriteWatchdog(bus, 0);
        WriteWatchdog(bus, (byte)(_settings.BusWatchdog.TotalMilliseconds / ServoChainSettings.BusWatchdogUnitMs));
    }

    protected override void Release(ServoBus bus) => WriteWatchdog(bus, 0);

    private void WriteWatchdog(ServoBus bus, byte value)
    {
        Span<byte> values = stackalloc byte[_settings.Ids.Length];
        values.Fill(value);
        bus.SyncWrite(BusWatchdog, 1, _settings.Ids, values);
    }

    protected override (float Position, float Velocity) Decode(ReadOnlySpan<byte> present) =>
        (BinaryPrimitives.ReadInt32LittleEndian(present[4..]), BinaryPrimitives.ReadInt32LittleEndian(present));

    protected override void EncodeGoal(float goal, Span<byte> destination) =>
        BinaryPrimitives.WriteInt32LittleEndian(destination, (int)MathF.Round(goal));
}
