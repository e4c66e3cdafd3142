using System.Buffers.Binary;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Dynamixel;

namespace Robotics.Emulators;

/// <summary>
/// Dynamixel X-series servos (XL330-M288, the Koch arm's, unless a test sets another model) answering Protocol 2.0 on
/// a pseudo-terminal, with the X-series control table's initial values (ROBOTIS e-Manual, e.g. XL330-M288): EEPROM
/// items refused with torque on, a goal outside the position limits refused, answers as the Status Return Level says.
/// </summary>
public sealed class DynamixelEmulator(string portName, params byte[] ids) : ServoEmulator(portName, ids)
{
    public const ushort ModelNumber = 0;
    /// <summary>XL330-M288-T's model number (e-Manual, XL330-M288 control table, Model Number(0)).</summary>
    public const ushort Xl330Model = 1200;
    /// <summary>XM430-W350's (its control table, Model Number(0)): the same control table.</summary>
    public const ushort Xm430W350Model = 1020;
    /// <summary>XL-320's: another control table, which the driver refuses.</summary>
    public const ushort Xl320Model = 350;
    public const byte Firmware = 52;
    /// <summary>Return Delay Time(9), 2 µs units, initially 250.</summary>
    public const ushort ReturnDelayTime = 9;
    /// <summary>Operating Mode(11), initially 3: Position Control Mode.</summary>
    public const ushort OperatingMode = 11;
    public const byte PositionControlMode = 3;
    /// <summary>Max Position Limit(48), 4 bytes, initially 4,095.</summary>
    public const ushort MaxPositionLimit = 48;
    /// <summary>Min Position Limit(52), 4 bytes, initially 0.</summary>
    public const ushort MinPositionLimit = 52;
    public const ushort TorqueEnable = 64;
    /// <summary>Status Return Level(68), RAM, initially 2: 0 answers pings only, 1 pings and reads, 2 everything.</summary>
    public const ushort StatusReturnLevel = 68;
    /// <summary>Bus Watchdog: 1–127 in units of 20 ms, 0 off (and clears an error), −1 once it tripped (e-Manual, X-series control table, Bus Watchdog (98)).</summary>
    public const ushort BusWatchdog = 98;
    /// <summary>The first of the goal registers (Goal PWM 100, Goal Current 102, Goal Velocity 104, … Goal Position 116–119), read-only after a watchdog trip.</summary>
    public const ushort FirstGoal = 100;
    /// <summary>Protocol 2.0 status error 4: Data Range Error.</summary>
    public const byte DataRangeError = 4;
    /// <summary>Protocol 2.0 status error 6: Data Limit Error, a value outside the limit the control table sets.</summary>
    public const byte DataLimitError = 6;
    /// <summary>Protocol 2.0 status error 7: Access Error, among others an EEPROM item written with torque on.</summary>
    public const byte AccessError = 7;
    public const ushort GoalPosition = 116;
    public const ushort PresentPosition = 132;

    private DynamixelPacketReader? _reader;

    protected override int AddressWidth => 2;

    /// <summary>The EEPROM area is addresses 0–63; RAM starts at Torque Enable(64).</summary>
    protected override int EepromEnd => TorqueEnable;

    protected override void Initialize(byte id, byte[] table)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(table.AsSpan(ModelNumber), Xl330Model);
        table[6] = Firmware;
        table[7] = id;
        table[ReturnDelayTime] = 250;
        table[OperatingMode] = PositionControlMode;
        BinaryPrimitives.WriteInt32LittleEndian(table.AsSpan(MaxPositionLimit), 4095);
        BinaryPrimitives.WriteInt32LittleEndian(table.AsSpan(MinPositionLimit), 0);
        table[StatusReturnLevel] = 2;
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

    /// <summary>Whether the servo stopped itself because its bus watchdog ran out.</summary>
    public bool WatchdogTripped(byte id) => ReadByte(id, BusWatchdog) == 0xFF;

    /// <summary>With torque on and the watchdog set, no instruction on the bus for that long: the servo stops and its goals go read-only.</summary>
    protected override void Idle(byte id, byte[] table, long sinceInstructionNs)
    {
        sbyte watchdog = (sbyte)table[BusWatchdog];
        if (watchdog > 0 && table[TorqueEnable] == 1 && sinceInstructionNs > watchdog * 20_000_000L)
        {
            table[BusWatchdog] = 0xFF;
        }
    }

    /// <summary>
    /// An EEPROM item with torque on: Access Error ("Data in the EEPROM Area can only be written to if Torque Enable(64)
    /// is cleared"). A goal after a watchdog trip: refused until it is cleared. In Position Control Mode, a Goal
    /// Position outside Min/Max Position Limit: Data Limit Error, the goal kept as it was (Goal Position(116)'s range is
    /// Min Position Limit(52) to Max Position Limit(48)).
    /// </summary>
    protected override byte RefuseWrite(byte[] table, int address, ReadOnlySpan<byte> data)
    {
        if (address < EepromEnd && table[TorqueEnable] == 1)
        {
            return AccessError;
        }
        if (table[BusWatchdog] == 0xFF && address is >= FirstGoal and <= GoalPosition + 3)
        {
            return DataRangeError;
        }
        if (address == GoalPosition && table[OperatingMode] == PositionControlMode)
        {
            int goal = BinaryPrimitives.ReadInt32LittleEndian(data);
            bool within = goal >= BinaryPrimitives.ReadInt32LittleEndian(table.AsSpan(MinPositionLimit))
                && goal <= BinaryPrimitives.ReadInt32LittleEndian(table.AsSpan(MaxPositionLimit));
            return within ? (byte)0 : DataLimitError;
        }
        return 0;
    }

    /// <summary>Status Return Level(68): 0 answers pings only, 1 pings and reads, 2 every instruction.</summary>
    protected override bool Answers(byte[] table, ServoInstruction instruction) => instruction switch
    {
        ServoInstruction.Ping => true,
        ServoInstruction.Read or ServoInstruction.SyncRead => table[StatusReturnLevel] >= 1,
        _ => table[StatusReturnLevel] >= 2,
    };

    protected override void Move(byte[] table)
    {
        if (table[TorqueEnable] == 1)
        {
            table.AsSpan(GoalPosition, 4).CopyTo(table.AsSpan(PresentPosition));
        }
    }
}
