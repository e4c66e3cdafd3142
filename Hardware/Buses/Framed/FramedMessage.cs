using System.Buffers.Binary;

namespace Robotics.Hardware.Buses.Framed;

/// <summary>What a framed-serial message is: its payload's first byte. Controller to board below 0x80, board to controller above.</summary>
public enum FramedMessageType : byte
{
    Hello = 0x01,
    SetOutputs = 0x02,
    Safe = 0x03,
    HelloReply = 0x81,
    Sample = 0x82,
    Error = 0x83,
}

/// <summary>
/// The messages of the framed-serial protocol, version 1 (docs/robot-config.md, "framed-serial"), each one
/// frame's payload: its type, then its fields, integers little-endian, values IEEE 754 binary32 little-endian
/// (a C <c>float</c> copied byte for byte on ARM, AVR, ESP32 and RP2040 boards). Writers return the payload's
/// length; readers check the type and the exact length and allocate nothing. HELLO and HELLO_REPLY carry the
/// output timeout as a field added at their end: a board written before it reads HELLO's first bytes only and
/// answers with the shorter reply, which still reads.
/// </summary>
public static class FramedMessage
{
    /// <summary>The protocol version this build speaks; a board that answers HELLO with another is refused.</summary>
    public const byte Version = 1;

    /// <summary>Most channels each way: a SAMPLE of 62 values is 255 bytes, so a board can count any payload in one byte.</summary>
    public const int MaxChannels = 62;

    /// <summary>The longest payload of any message.</summary>
    public const int MaxPayload = 255;

    private const int SampleHeader = 7;
    private const int SetOutputsHeader = 3;
    private const int HelloReplyLength = 4;
    private const int HelloReplyWithTimeoutLength = 6;

    public static FramedMessageType TypeOf(ReadOnlySpan<byte> payload) => payload.IsEmpty ? 0 : (FramedMessageType)payload[0];

    /// <summary>HELLO: the type, the protocol version the controller speaks, and the output timeout the board is to apply (ms, 0 for none).</summary>
    public static int WriteHello(Span<byte> payload, ushort outputTimeoutMs)
    {
        payload[0] = (byte)FramedMessageType.Hello;
        payload[1] = Version;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[2..], outputTimeoutMs);
        return 4;
    }

    /// <summary>SET_OUTPUTS: the type, the controller's sequence number, every output.</summary>
    public static int WriteSetOutputs(Span<byte> payload, ushort sequence, ReadOnlySpan<float> outputs)
    {
        payload[0] = (byte)FramedMessageType.SetOutputs;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[1..], sequence);
        WriteValues(payload[SetOutputsHeader..], outputs);
        return SetOutputsHeader + 4 * outputs.Length;
    }

    /// <summary>SAFE: the type alone.</summary>
    public static int WriteSafe(Span<byte> payload)
    {
        payload[0] = (byte)FramedMessageType.Safe;
        return 1;
    }

    /// <summary>
    /// HELLO_REPLY: the type, the board's protocol version, its input count, its output count, and the output
    /// timeout it applies (ms, 0 for none); without one (null), the reply of a board written before output timeouts.
    /// </summary>
    public static int WriteHelloReply(Span<byte> payload, byte version, int inputs, int outputs, ushort? outputTimeoutMs)
    {
        payload[0] = (byte)FramedMessageType.HelloReply;
        payload[1] = version;
        payload[2] = checked((byte)inputs);
        payload[3] = checked((byte)outputs);
        if (outputTimeoutMs is not ushort timeout)
        {
            return HelloReplyLength;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(payload[HelloReplyLength..], timeout);
        return HelloReplyWithTimeoutLength;
    }

    /// <summary>SAMPLE: the type, the board's sequence number, the board's clock in microseconds, every input.</summary>
    public static int WriteSample(Span<byte> payload, ushort sequence, uint boardTimeUs, ReadOnlySpan<float> inputs)
    {
        payload[0] = (byte)FramedMessageType.Sample;
        BinaryPrimitives.WriteUInt16LittleEndian(payload[1..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[3..], boardTimeUs);
        WriteValues(payload[SampleHeader..], inputs);
        return SampleHeader + 4 * inputs.Length;
    }

    /// <summary>ERROR: the type, the board's own error code, then text (ASCII, no terminator) for whoever watches the line.</summary>
    public static int WriteError(Span<byte> payload, byte code, ReadOnlySpan<byte> text)
    {
        payload[0] = (byte)FramedMessageType.Error;
        payload[1] = code;
        text.CopyTo(payload[2..]);
        return 2 + text.Length;
    }

    /// <summary>Reads a HELLO_REPLY; <paramref name="outputTimeoutMs"/> is null for the short reply, which confirms no timeout.</summary>
    public static bool TryReadHelloReply(ReadOnlySpan<byte> payload, out byte version, out int inputs, out int outputs, out ushort? outputTimeoutMs)
    {
        bool valid = TypeOf(payload) == FramedMessageType.HelloReply && payload.Length is HelloReplyLength or HelloReplyWithTimeoutLength;
        version = valid ? payload[1] : (byte)0;
        inputs = valid ? payload[2] : 0;
        outputs = valid ? payload[3] : 0;
        outputTimeoutMs = valid && payload.Length == HelloReplyWithTimeoutLength ? BinaryPrimitives.ReadUInt16LittleEndian(payload[HelloReplyLength..]) : null;
        return valid;
    }

    /// <summary>
    /// Reads a HELLO as a board must, whatever its length: <paramref name="outputTimeoutMs"/> (ms, 0 for none) is
    /// null when it is too short to carry one (a controller written before output timeouts).
    /// </summary>
    public static bool TryReadHello(ReadOnlySpan<byte> payload, out ushort? outputTimeoutMs)
    {
        bool valid = TypeOf(payload) == FramedMessageType.Hello;
        outputTimeoutMs = valid && payload.Length >= 4 ? BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]) : null;
        return valid;
    }

    /// <summary>Reads a SAMPLE of exactly <paramref name="inputs"/>.Length values; nothing is written to them otherwise.</summary>
    public static bool TryReadSample(ReadOnlySpan<byte> payload, Span<float> inputs, out ushort sequence, out uint boardTimeUs)
    {
        bool valid = TypeOf(payload) == FramedMessageType.Sample && payload.Length == SampleHeader + 4 * inputs.Length;
        sequence = valid ? BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]) : (ushort)0;
        boardTimeUs = valid ? BinaryPrimitives.ReadUInt32LittleEndian(payload[3..]) : 0;
        if (valid)
        {
            ReadValues(payload[SampleHeader..], inputs);
        }
        return valid;
    }

    /// <summary>Reads a SET_OUTPUTS of exactly <paramref name="outputs"/>.Length values; nothing is written to them otherwise.</summary>
    public static bool TryReadSetOutputs(ReadOnlySpan<byte> payload, Span<float> outputs, out ushort sequence)
    {
        bool valid = TypeOf(payload) == FramedMessageType.SetOutputs && payload.Length == SetOutputsHeader + 4 * outputs.Length;
        sequence = valid ? BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]) : (ushort)0;
        if (valid)
        {
            ReadValues(payload[SetOutputsHeader..], outputs);
        }
        return valid;
    }

    /// <summary>Reads an ERROR's code (its text is left where it is: the payload after the code).</summary>
    public static bool TryReadError(ReadOnlySpan<byte> payload, out byte code)
    {
        bool valid = TypeOf(payload) == FramedMessageType.Error && payload.Length >= 2;
        code = valid ? payload[1] : (byte)0;
        return valid;
    }

    private static void WriteValues(Span<byte> destination, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], values[i]);
        }
    }

    private static void ReadValues(ReadOnlySpan<byte> source, Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
        }
    }
}
