namespace Robotics.Hardware.Buses.Feetech;

/// <summary>
/// Feetech STS/SCS framing (the Dynamixel Protocol 1.0 layout): <c>FF FF | ID | LEN | INST or ERROR | PARAMS… |
/// CHECKSUM</c>, LEN = parameters + 2, CHECKSUM = the low byte of ~(ID + LEN + INST + Σ PARAMS). Addresses and
/// lengths are one byte; STS servos store multi-byte values little-endian (SCS servos big-endian).
/// </summary>
public static class FeetechPacket
{
    /// <summary>Header, ID, length, instruction and checksum: a packet's bytes besides its parameters.</summary>
    public const int Overhead = 6;

    /// <summary>LEN is one byte: at most 253 parameter bytes.</summary>
    public const int MaxParameters = 253;

    /// <summary>Writes a whole packet into <paramref name="destination"/>; returns its length.</summary>
    public static int Build(Span<byte> destination, byte id, byte instructionOrError, ReadOnlySpan<byte> parameters)
    {
        if (parameters.Length > MaxParameters || destination.Length < Overhead + parameters.Length)
        {
            throw new ArgumentException($"a packet with {parameters.Length} parameter bytes does not fit (at most {MaxParameters}, in {destination.Length - Overhead})", nameof(parameters));
        }
        destination[0] = 0xFF;
        destination[1] = 0xFF;
        destination[2] = id;
        destination[3] = (byte)(parameters.Length + 2);
        destination[4] = instructionOrError;
        parameters.CopyTo(destination[5..]);
        int checksumAt = 5 + parameters.Length;
        destination[checksumAt] = Checksum(destination[2..checksumAt]);
        return checksumAt + 1;
    }

    /// <summary>The low byte of the complement of the sum of ID, LEN, instruction (or error) and parameters.</summary>
    public static byte Checksum(ReadOnlySpan<byte> idToLastParameter)
    {
        int sum = 0;
        foreach (byte b in idToLastParameter)
        {
            sum += b;
        }
        return (byte)~sum;
    }
}
