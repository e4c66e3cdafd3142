using System.Buffers.Binary;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Feetech;

namespace Robotics.Emulators;

/// <summary>Feetech STS3215 servos (the SO-100 and SO-101 arms') answering on a pseudo-terminal.</summary>
public sealed class FeetechEmulator(string portName, params byte[] ids) : ServoEmulator(portName, ids)
{
    // STS3215 memory table (Feetech; scservo_sdk's SMS_STS constants): model at 3, ID at 5, torque at 40,
    // goal position at 42, present position at 56 then present speed at 58, two bytes each, little-endian.
    public const ushort Sts3215Model = 777;
    public const ushort TorqueEnable = 40;
    public const ushort GoalPosition = 42;
    public const ushort PresentPosition = 56;

    private FeetechPacketReader? _reader;

    protected override int AddressWidth => 1;

    protected override void Initialize(byte id, byte[] table)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(3), Sts3215Model);
        table[5] = id;
        BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(PresentPosition), 2048);
    }

    protected override void Attach(Stream port) => _reader = new FeetechPacketReader(port);

    protected override void ReadInstruction(TimeSpan timeout, out byte id, out ServoInstruction instruction, out ReadOnlySpan<byte> parameters)
    {
        var frame = _reader!.Read(timeout);
        id = frame.Id;
        instruction = (ServoInstruction)frame.InstructionOrError;
        parameters = frame.Parameters;
    }

    protected override int BuildStatus(Span<byte> destination, byte id, byte error, ReadOnlySpan<byte> data) =>
        FeetechPacket.Build(destination, id, error, data);

    /// <summary>A Feetech ping's status packet carries no data.</summary>
    protected override byte[] PingAnswer(byte[] table) => [];

    protected override void Move(byte[] table)
    {
        if (table[TorqueEnable] == 1)
        {
            table.AsSpan(GoalPosition, 2).CopyTo(table.AsSpan(PresentPosition));
        }
    }
}
