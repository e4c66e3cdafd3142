using System.Buffers.Binary;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses.Feetech;

/// <summary>
/// The <c>feetech-sts</c> device: Feetech STS servos (STS3215: the SO-100 and SO-101 arms and their leader
/// arms) on one bus. Position 0–4095 per turn, 2048 at the centre; speed in steps per second. STS values are
/// little-endian with the sign in bit 15 (sign and magnitude, scservo_sdk's sts_tohost). On open each servo's model
/// is checked and its settings and angle limits set (<see cref="FeetechSetup"/>).
/// </summary>
public sealed class FeetechServos(string name, ServoChainSettings settings) : ServoChain(name, settings, Table, FeetechSetup.Table)
{
    public const string Type = "feetech-sts";

    // STS3215 memory table: Torque Enable 40; Goal Position 42 (2 bytes); Present Position (2) at 56 then Present Speed (2) at 58.
    public static readonly ServoTable Table = new(TorqueEnable: 40, Goal: 42, GoalWidth: 2, Present: 56, PresentLength: 4);

    public static IDevice FromConfig(DeviceConfig config) => new FeetechServos(config.Name!, ServoChainSettings.From(config));

    protected override ServoBus OpenBus(ServoChainSettings settings) => new FeetechBus(settings.Port, settings.Baud, settings.Timeout, settings.Retries);

    protected override void Ping(ServoBus bus, byte id) => ((FeetechBus)bus).Ping(id);

    protected override (float Position, float Velocity) Decode(ReadOnlySpan<byte> present) =>
        (SignMagnitude(BinaryPrimitives.ReadUInt16LittleEndian(present)), SignMagnitude(BinaryPrimitives.ReadUInt16LittleEndian(present[2..])));

    protected override void EncodeGoal(float goal, Span<byte> destination)
    {
        int value = (int)MathF.Round(goal);
        ushort raw = value < 0 ? (ushort)(0x8000 | Math.Min(-value, 0x7FFF)) : (ushort)Math.Min(value, 0x7FFF);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, raw);
    }

    private static float SignMagnitude(ushort raw) => (raw & 0x8000) != 0 ? -(raw & 0x7FFF) : raw;
}
