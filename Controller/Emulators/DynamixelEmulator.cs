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
    /// <summary>Bus Watchdog: 1–127 in units of 20 ms, 0 off (and clears an error), −1 once it tripped (e-Manual, X-series control table, Bus Watchdog (98)).</summary>
    public const ushort BusWatchdog = 98;
    /// <summary>The first of the goal registers (Goal PWM 100, Goal Current 102, Goal Velocity 104, … Goal Position 116–119), read-only after a watchdog trip.</summary>
    public const ushort FirstGoal = 100;
    /// <summary>Protocol 2.0 status error 4: Data Range Error.</summary>
    public const byte DataRangeError = 4;
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

    protected override byte RefuseWrite(byte[] table, int address) =>
        table[BusWatchdog] == 0xFF && address is >= FirstGoal and <= GoalPosition + 3 ? DataRangeError : (byte)0;

    protected override void Move(byte[] table)
    {
        if (table[TorqueEnable] == 1)
        {
            table.AsSpan(GoalPosition, 4).CopyTo(table.AsSpan(PresentPosition));
        }
    }
}
