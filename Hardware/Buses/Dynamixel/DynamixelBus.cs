using System.Buffers.Binary;

namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>
/// A Dynamixel Protocol 2.0 bus on a serial port (a U2D2, an OpenRB): the framing of <see cref="DynamixelPacket"/>,
/// 2-byte addresses and lengths, and status packets whose error byte holds an error number (a failed
/// transaction) and an alert bit (a hardware error the servo latched, data still valid).
/// </summary>
public sealed class DynamixelBus : ServoBus
{
    private readonly DynamixelPacketReader _reader;

    /// <param name="portName">The serial device, e.g. /dev/ttyUSB0 (or a pseudo-terminal in tests).</param>
    /// <param name="baudRate">The servos' baud rate (1,000,000 is the usual for arms).</param>
    public DynamixelBus(string portName, int baudRate, TimeSpan timeout, int retries = 2)
        : base(portName, baudRate, timeout, retries) => _reader = new DynamixelPacketReader(Port);

    protected override int AddressWidth => 2;

    /// <summary>The model number of the servo at <paramref name="id"/> (e.g. 1200 for an XL330-M288) and its firmware version.</summary>
    public (ushort Model, byte Firmware) Ping(byte id)
    {
        // A ping's status packet carries the model number (2 bytes) and the firmware version (1).
        Span<byte> answer = stackalloc byte[3];
        Transact(id, ServoInstruction.Ping, 0, answers: [id], answer);
        return (BinaryPrimitives.ReadUInt16LittleEndian(answer), answer[2]);
    }

    /// <summary>The error numbers of a status packet (ROBOTIS e-Manual, "Protocol 2.0", Status Packet, Error).</summary>
    public static string DescribeError(int code) => code switch
    {
        1 => "result fail (could not process the instruction)",
        2 => "instruction error (undefined instruction, or action without reg write)",
        3 => "CRC error (the packet it received was corrupt)",
        4 => "data range error (the data is out of the control table item's range)",
        5 => "data length error (shorter than the item)",
        6 => "data limit error (beyond the limit set in the control table)",
        7 => "access error (read-only item, or torque on for an EEPROM item)",
        _ => $"error {code}",
    };

    protected override int Build(Span<byte> packet, byte id, ServoInstruction instruction, ReadOnlySpan<byte> parameters) =>
        DynamixelPacket.Build(packet, id, (DynamixelInstruction)instruction, parameters);

    protected override ServoStatus ReadStatus(TimeSpan timeout)
    {
        var frame = _reader.Read(timeout);
        if (frame.Instruction != DynamixelInstruction.Status || frame.Parameters.IsEmpty)
        {
            throw new ServoBusException(ServoBusFault.Unexpected, frame.Id, $"expected a status packet, got {frame.Instruction} from ID {frame.Id}");
        }
        return new ServoStatus(frame.Id, frame.Parameters[0], frame.Parameters[1..]);
    }

    protected override void DiscardReceived() => _reader.Discard();

    /// <summary>Bit 7 is the alert bit; bits 0–6 an error number.</summary>
    protected override string? Describe(byte error, out bool alert)
    {
        alert = (error & 0x80) != 0;
        return (error & 0x7F) == 0 ? null : DescribeError(error & 0x7F);
    }
}
