namespace Robotics.Hardware.Buses.Feetech;

/// <summary>One Feetech packet read off the bus.</summary>
/// <param name="instructionOrError">The instruction of an instruction packet, the error byte of a status packet.</param>
public readonly ref struct FeetechFrame(byte id, byte instructionOrError, ReadOnlySpan<byte> parameters)
{
    public byte Id { get; } = id;

    public byte InstructionOrError { get; } = instructionOrError;

    public ReadOnlySpan<byte> Parameters { get; } = parameters;
}

/// <summary>
/// Reads Feetech packets from a byte stream: finds <c>FF FF</c> followed by an ID that is not <c>FF</c>, reads
/// the length it announces, checks the checksum. Reads everything the port has per call and keeps the rest for
/// the next packet; nothing allocated per packet.
/// </summary>
public sealed class FeetechPacketReader(Stream stream)
{
    private readonly byte[] _packet = new byte[FeetechPacket.Overhead + FeetechPacket.MaxParameters];
    private readonly PortInput _input = new(stream);

    /// <summary>Forgets bytes received but not yet read.</summary>
    public void Discard() => _input.Discard();

    /// <exception cref="ServoBusException">Timeout, a bad checksum or an impossible length.</exception>
    public FeetechFrame Read(TimeSpan timeout)
    {
        long deadline = PortInput.Deadline(timeout);
        // FF FF then an ID: a third FF means the header is still going (IDs go up to FE).
        int seen = 0;
        while (true)
        {
            byte b = _input.Next(deadline);
            if (b == 0xFF)
            {
                seen = Math.Min(seen + 1, 2);
                continue;
            }
            if (seen == 2)
            {
                _packet[2] = b;
                break;
            }
            seen = 0;
        }
        byte id = _packet[2];
        byte length = _input.Next(deadline);
        if (length < 2)
        {
            throw new ServoBusException(ServoBusFault.Unexpected, id, $"Feetech packet from ID {id} announces {length} bytes, which no packet has");
        }
        _packet[3] = length;
        _input.ReadExactly(_packet.AsSpan(4, length), deadline);
        int checksumAt = 3 + length;
        byte expected = FeetechPacket.Checksum(_packet.AsSpan(2, checksumAt - 2));
        if (_packet[checksumAt] != expected)
        {
            throw new ServoBusException(ServoBusFault.Corrupt, id, $"Feetech packet from ID {id}: checksum {_packet[checksumAt]:X2} where {expected:X2} was due");
        }
        return new FeetechFrame(id, _packet[4], _packet.AsSpan(5, length - 2));
    }
}
