namespace Robotics.Hardware.Buses.Feetech;

/// <summary>
/// A Feetech STS/SCS bus (SO-100 and SO-101 arms: STS3215 servos) on a serial port: the framing of
/// <see cref="FeetechPacket"/>, one-byte addresses and lengths, and status packets whose error byte flags
/// hardware conditions (scservo_sdk, protocol_packet_handler: bit 0 input voltage, bit 1 angle sensor, bit 2
/// overheating, bit 3 over-current, bit 5 overload). Those are counted as alerts; the data still counts.
/// </summary>
public sealed class FeetechBus : ServoBus
{
    private readonly FeetechPacketReader _reader;

    public FeetechBus(string portName, int baudRate, TimeSpan timeout, int retries = 2)
        : base(portName, baudRate, timeout, retries) => _reader = new FeetechPacketReader(Port);

    protected override int AddressWidth => 1;

    /// <summary>Checks that the servo at <paramref name="id"/> answers (its status packet carries no data).</summary>
    public void Ping(byte id) => Transact(id, ServoInstruction.Ping, 0, answers: [id], []);

    protected override int Build(Span<byte> packet, byte id, ServoInstruction instruction, ReadOnlySpan<byte> parameters) =>
        FeetechPacket.Build(packet, id, (byte)instruction, parameters);

    protected override ServoStatus ReadStatus(TimeSpan timeout)
    {
        var frame = _reader.Read(timeout);
        return new ServoStatus(frame.Id, frame.InstructionOrError, frame.Parameters);
    }

    protected override void DiscardReceived() => _reader.Discard();

    protected override string? Describe(byte error, out bool alert)
    {
        alert = error != 0;
        return null;
    }
}
