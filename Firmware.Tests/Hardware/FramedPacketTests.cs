using System.Text;
using Robotics.Hardware.Buses.Framed;

namespace Robotics.Tests.Hardware;

/// <summary>COBS and CRC-16 against their published examples, then the frame format round trip and its damage cases.</summary>
public sealed class FramedPacketTests
{
    // The examples of the COBS paper (Cheshire and Baker 1999) as listed in the encoding's usual references.
    [Theory]
    [InlineData("00", "01 01")]
    [InlineData("00 00", "01 01 01")]
    [InlineData("11 22 00 33", "03 11 22 02 33")]
    [InlineData("11 22 33 44", "05 11 22 33 44")]
    [InlineData("11 00 00 00", "02 11 01 01 01")]
    [InlineData("01 00", "02 01 01")]
    public void Cobs_encodes_the_published_examples(string plain, string encoded)
    {
        byte[] source = Convert.FromHexString(plain.Replace(" ", "", StringComparison.Ordinal));
        byte[] expected = Convert.FromHexString(encoded.Replace(" ", "", StringComparison.Ordinal));
        var buffer = new byte[Cobs.MaxEncodedLength(source.Length)];

        int length = Cobs.Encode(source, buffer);

        Assert.Equal(expected, buffer[..length]);
        var decoded = new byte[source.Length + 1];
        Assert.Equal(source, decoded[..Cobs.Decode(expected, decoded)]);
    }

    [Fact]
    public void Cobs_splits_runs_of_254_non_zero_bytes()
    {
        byte[] source = [.. Enumerable.Range(1, 254).Select(i => (byte)i)];
        var buffer = new byte[Cobs.MaxEncodedLength(source.Length)];

        int length = Cobs.Encode(source, buffer);

        // 254 data bytes: one full block, code 0xFF, and nothing after it (no implied zero to mark).
        Assert.Equal(255, length);
        Assert.Equal(0xFF, buffer[0]);
        Assert.Equal(0xFE, buffer[254]);
        Assert.DoesNotContain((byte)0, buffer[..length]);
        var decoded = new byte[300];
        Assert.Equal(source, decoded[..Cobs.Decode(buffer.AsSpan(0, length), decoded)]);
    }

    [Fact]
    public void Crc16_ccitt_false_has_its_check_value()
    {
        Assert.Equal(0x29B1, Crc16Ccitt.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void A_frame_round_trips_and_holds_no_zero_before_its_delimiter()
    {
        byte[] payload = [0x01, 0x00, 0x00, 0x80, 0x3F, 0x00, 0xFF];
        var frame = new byte[FramedPacket.MaxFrameLength(payload.Length)];

        int length = FramedPacket.Encode(payload, frame);

        Assert.Equal(0, frame[length - 1]);
        Assert.DoesNotContain((byte)0, frame[..(length - 1)]);
        var decoded = new byte[payload.Length + 2];
        Assert.Equal(payload, decoded[..FramedPacket.Decode(frame.AsSpan(0, length - 1), decoded)]);
    }

    [Fact]
    public void A_corrupted_frame_is_refused_naming_the_crc()
    {
        byte[] payload = [0x02, 0x10, 0x20];
        var frame = new byte[FramedPacket.MaxFrameLength(payload.Length)];
        int length = FramedPacket.Encode(payload, frame);
        frame[2] ^= 0x40;

        var error = Assert.Throws<InvalidDataException>(() => FramedPacket.Decode(frame.AsSpan(0, length - 1), new byte[16]));

        Assert.Contains("CRC", error.Message);
    }

    [Theory]
    [InlineData("05 11 22", "ends inside a block")]
    [InlineData("02 11 00 33", "holds a zero byte")]
    [InlineData("02 11", "too short for its CRC")]
    public void Damaged_framing_is_refused_in_one_message(string frame, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            FramedPacket.Decode(Convert.FromHexString(frame.Replace(" ", "", StringComparison.Ordinal)), new byte[16]));

        Assert.Contains(message, error.Message);
    }
}
