using System.Buffers.Binary;

namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>One packet read off the bus: who sent it, its instruction, and its (unstuffed) parameters.</summary>
/// <param name="parameters">For a status packet: the error byte, then the data.</param>
public readonly ref struct DynamixelFrame(byte id, DynamixelInstruction instruction, ReadOnlySpan<byte> parameters)
{
    public byte Id { get; } = id;

    public DynamixelInstruction Instruction { get; } = instruction;

    public ReadOnlySpan<byte> Parameters { get; } = parameters;
}

/// <summary>
/// Reads Dynamixel Protocol 2.0 packets from a byte stream: finds the header (skipping whatever noise comes
/// before it), reads the length it announces, checks the CRC and removes the byte stuffing. One buffer,
/// reused: nothing allocated per packet.
/// </summary>
public sealed class DynamixelPacketReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[DynamixelPacket.MaxLength];
    private readonly PortInput _input = new(stream);

    /// <summary>Forgets bytes received but not yet read: the bus calls it with the port's own discard.</summary>
    public void Discard() => _input.Discard();

    /// <summary>Reads the next packet, waiting at most <paramref name="timeout"/> for all of it.</summary>
    /// <exception cref="ServoBusException">Timeout, a bad CRC or an impossible length.</exception>
    public DynamixelFrame Read(TimeSpan timeout)
    {
        long deadline = PortInput.Deadline(timeout);
        // Slide a four-byte window over the stream until it holds the header: noise, or the tail of an answer
        // that came too late, is skipped.
        var window = _buffer.AsSpan(0, 4);
        int seen = 0;
        while (seen < 4 || !window.SequenceEqual(DynamixelPacket.Header))
        {
            window[1..].CopyTo(window);
            window[3] = _input.Next(deadline);
            seen++;
        }
        _input.ReadExactly(_buffer.AsSpan(4, 3), deadline);
        byte id = _buffer[4];
        int length = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(5));
        if (length < 3 || 7 + length > _buffer.Length)
        {
            throw new ServoBusException(ServoBusFault.Unexpected, id, $"Dynamixel packet from ID {id} announces {length} bytes, which no packet has");
        }
        _input.ReadExactly(_buffer.AsSpan(7, length), deadline);
        int crcAt = 7 + length - 2;
        ushort expected = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(crcAt));
        ushort actual = DynamixelCrc.Compute(_buffer.AsSpan(0, crcAt));
        if (expected != actual)
        {
            throw new ServoBusException(ServoBusFault.Corrupt, id, $"Dynamixel packet from ID {id}: CRC {actual:X4} where the packet says {expected:X4}");
        }
        int body = DynamixelPacket.Unstuff(_buffer.AsSpan(7, crcAt - 7));
        return new DynamixelFrame(id, (DynamixelInstruction)_buffer[7], _buffer.AsSpan(8, body - 1));
    }
}
