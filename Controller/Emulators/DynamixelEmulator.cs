using System.Buffers.Binary;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Dynamixel;

namespace Robotics.Emulators;

/// <summary>Dynamixel X-series servos (XL330-M288, the Koch arm's) answering Protocol 2.0 on a pseudo-terminal.</summary>
public sealed class DynamixelEmulator(string portName, params byte[] ids) : ServoEmulator(portName, ids)
{
    /// <summary>XL330-M288-T's model number (e-Manual, XL330-M288 control table, Model Number).</summary>
    public const ushort Xl330Model = 1200;
    public const byte Firmware = 52;
    public const ushort TorqueEnable = 64;
    public const ushort GoalPosition = 116;
    public const ushort PresentPosition = 132;

    private DynamixelPacketReader? _reader;

    protected override int AddressWidth => 2;

    protected override void Initialize(byte id, byte[] table)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(table, Xl330Model);
        table[6] = Firmware;
        table[7] = id;
        BinaryPrimitives.WriteInt32LittleEndian(table.AsSpan(PresentPosition), 2048);
    }

    protected override void Attach(Stream port) => _reader = new DynamixelPacketReader(port);

    protected override void ReadInstruction(TimeSpan timeout, out byte id, out ServoInstruction instruction, out ReadOnlySpan<byte> parameters)
    {
        var frame = _reader!.Read(timeout);
        id = frame.Id;
        instruction = (ServoInstruction)frame.Instruction;
        parameters = frame.Parameters;
    }

    protected override int BuildStatus(Span<byte> destination, byte id, byte error, ReadOnlySpan<byte> data)
    {
        Span<byte> parameters = stackalloc byte[1 + data.Length];
        parameters[0] = error;
        data.CopyTo(parameters[1..]);
        return DynamixelPacket.Build(destination, id, DynamixelInstruction.Status, parameters);
    }

    /// <summary>Model number (2 bytes) and firmware version.</summary>
    protected override byte[] PingAnswer(byte[] table) => [table[0], table[1], table[6]];

    protected override void Move(byte[] table)
    {
        if (table[TorqueEnable] == 1)
        {
            table.AsSpan(GoalPosition, 4).CopyTo(table.AsSpan(PresentPosition));
        }
    }
}
