using System.Buffers.Binary;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>
/// The <c>dynamixel</c> device: Dynamixel X-series servos (XL330, XL430, XM430: the Koch arm, the
/// OpenManipulator) on one Protocol 2.0 bus. Position 0–4095 per turn, 2048 at the centre; velocity 0.229 rpm
/// per unit (X-series control tables, RAM area).
/// </summary>
public sealed class DynamixelServos(string name, ServoChainSettings settings) : ServoChain(name, settings, Table)
{
    public const string Type = "dynamixel";

    // Torque Enable 64; Goal Position 116 (4 bytes); Present Velocity (4) at 128 then Present Position (4) at 132.
    public static readonly ServoTable Table = new(TorqueEnable: 64, Goal: 116, GoalWidth: 4, Present: 128, PresentLength: 8);

    public static IDevice FromConfig(DeviceConfig config) => new DynamixelServos(config.Name!, ServoChainSettings.From(config));

    protected override ServoBus OpenBus(ServoChainSettings settings) => new DynamixelBus(settings.Port, settings.Baud, settings.Timeout, settings.Retries);

    protected override void Ping(ServoBus bus, byte id) => ((DynamixelBus)bus).Ping(id);

    protected override (float Position, float Velocity) Decode(ReadOnlySpan<byte> present) =>
        (BinaryPrimitives.ReadInt32LittleEndian(present[4..]), BinaryPrimitives.ReadInt32LittleEndian(present));

    protected override void EncodeGoal(float goal, Span<byte> destination) =>
        BinaryPrimitives.WriteInt32LittleEndian(destination, (int)MathF.Round(goal));
}
