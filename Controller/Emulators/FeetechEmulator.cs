using System.Buffers.Binary;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Feetech;

namespace Robotics.Emulators;

/// <summary>
/// Feetech STS3215 servos (the SO-100 and SO-101 arms') answering on a pseudo-terminal, with the memory table's
/// initial values: EEPROM writes saved only while unlocked, a goal beyond the angle limits held at the nearer limit,
/// answers as the Response Status Level says.
/// </summary>
public sealed class FeetechEmulator(string portName, params byte[] ids) : ServoEmulator(portName, ids)
{
    // STS3215 memory table (Feetech; scservo_sdk's SMS_STS constants): model at 3, ID at 5, torque at 40,
    // goal position at 42, present position at 56 then present speed at 58, two bytes each, little-endian.
    public const ushort ModelNumber = 3;
    /// <summary>The STS3215's model number (LeRobot's Feetech tables).</summary>
    public const ushort Sts3215Model = 777;
    /// <summary>The SCS0009's (same tables): the SCS control table, which the driver refuses.</summary>
    public const ushort Scs0009Model = 1284;
    /// <summary>Return Delay Time, 2 µs units; 250 as LeRobot finds it on a new servo.</summary>
    public const ushort ReturnDelayTime = 7;
    /// <summary>Response Status Level: 0 answers Read and Ping only, 1 (initially) every instruction.</summary>
    public const ushort ResponseStatusLevel = 8;
    /// <summary>Min Angle Limit, 2 bytes, initially 0.</summary>
    public const ushort MinAngleLimit = 9;
    /// <summary>Max Angle Limit, 2 bytes, initially 4,095.</summary>
    public const ushort MaxAngleLimit = 11;
    /// <summary>Operating Mode, initially 0: position servo mode.</summary>
    public const ushort OperatingMode = 33;
    public const ushort TorqueEnable = 40;
    public const ushort GoalPosition = 42;
    /// <summary>Lock: 0 saves EEPROM writes past power-off, 1 (initially) does not.</summary>
    public const ushort Lock = 55;
    public const ushort PresentPosition = 56;

    private FeetechPacketReader? _reader;

    protected override int AddressWidth => 1;

    /// <summary>The EEPROM area is addresses 0–39; SRAM starts at Torque Enable (40).</summary>
    protected override int EepromEnd => TorqueEnable;

    protected override void Initialize(byte id, byte[] table)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(ModelNumber), Sts3215Model);
        table[5] = id;
        table[ReturnDelayTime] = 250;
        table[ResponseStatusLevel] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(MinAngleLimit), 0);
        BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(MaxAngleLimit), 4095);
        table[Lock] = 1;
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

    /// <summary>Response Status Level 0: Read and Ping answered, nothing else.</summary>
    protected override bool Answers(byte[] table, ServoInstruction instruction) =>
        instruction is ServoInstruction.Ping or ServoInstruction.Read or ServoInstruction.SyncRead || table[ResponseStatusLevel] >= 1;

    /// <summary>Lock 0: written EEPROM values are saved; 1: they hold until power-off.</summary>
    protected override bool Saves(byte[] table) => table[Lock] == 0;

    /// <summary>
    /// With torque on, the servo goes to its goal, held within the angle limits (both 0: multi-turn, none); the Goal
    /// Position register keeps what was written.
    /// </summary>
    protected override void Move(byte[] table)
    {
        if (table[TorqueEnable] != 1)
        {
            return;
        }
        int goal = SignMagnitude(BinaryPrimitives.ReadUInt16LittleEndian(table.AsSpan(GoalPosition)));
        int min = BinaryPrimitives.ReadUInt16LittleEndian(table.AsSpan(MinAngleLimit));
        int max = BinaryPrimitives.ReadUInt16LittleEndian(table.AsSpan(MaxAngleLimit));
        int position = min == 0 && max == 0 ? goal : Math.Clamp(goal, min, max);
        BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(PresentPosition), (ushort)(position < 0 ? 0x8000 | -position : position));
    }

    /// <summary>STS values carry their sign in bit 15 (scservo_sdk's sts_tohost).</summary>
    private static int SignMagnitude(ushort raw) => (raw & 0x8000) != 0 ? -(raw & 0x7FFF) : raw;
}
