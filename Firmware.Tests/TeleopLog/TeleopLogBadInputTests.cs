using Robotics.Protos.Log;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.TeleopLog;

public sealed class TeleopLogBadInputTests : IDisposable
{
    private static readonly TeleopLogReadOptions Tolerant = new() { Mcap = McapReadOptions.TolerateTruncation };
    private static readonly TeleopLogReadOptions Recovering = new() { Access = TeleopLogAccess.Sequential, Mcap = McapReadOptions.Recover };

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string WriteLog(string name, int episodes = 3, int steps = 200, McapCompression compression = McapCompression.Zstd)
    {
        string path = _directory.File(name);
        TestLogs.Write(path, episodes, steps, new TeleopLogWriterOptions { Compression = compression, ChunkSizeBytes = 4096, SyncEachChunk = false });
        return path;
    }

    private static McapFormatException ReadFails(string path, TeleopLogReadOptions? options = null)
    {
        var error = Assert.Throws<McapFormatException>(() => TeleopLogReader.Read(path, options));
        Assert.StartsWith(path + ": at byte ", error.Message);
        return error;
    }

    [Fact]
    public void Garbage_is_not_an_MCAP_file()
    {
        string path = _directory.File("garbage.mcap");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251))]);

        var error = ReadFails(path, Tolerant);

        Assert.Equal(0, error.Offset);
        Assert.Contains("not an MCAP file", error.Message);
    }

    [Fact]
    public void An_empty_file_is_named_as_too_short()
    {
        string path = _directory.File("empty.mcap");
        File.WriteAllBytes(path, []);

        Assert.Contains("0 bytes long", ReadFails(path, Tolerant).Message);
    }

    [Fact]
    public void A_wrong_magic_is_refused_even_by_a_tolerant_read()
    {
        string path = WriteLog("magic.mcap");
        var bytes = File.ReadAllBytes(path);
        bytes[1] = (byte)'X';
        File.WriteAllBytes(path, bytes);

        Assert.Contains("not an MCAP file", ReadFails(path, Tolerant).Message);
    }

    [Fact]
    public void A_damaged_trailing_magic_is_refused_strictly_and_read_whole_with_a_warning_by_a_tolerant_read()
    {
        string path = WriteLog("tail.mcap");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        Assert.Contains("the footer is not followed by the MCAP magic", ReadFails(path).Message);
        var log = TeleopLogReader.Read(path, Tolerant);

        Assert.Equal(3 * 200, log.StepCount);
        Assert.Contains(log.Issues, issue => issue.ToString().Contains("the footer is not followed by the MCAP magic"));
    }

    [Fact]
    public void A_truncated_file_is_one_error_naming_the_cut_unless_truncation_is_tolerated()
    {
        string path = WriteLog("cut.mcap");
        var (chunkOffset, chunkLength) = McapFileSurgery.Chunks(path)[3];
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(chunkOffset + chunkLength / 2)]);

        var error = ReadFails(path);
        Assert.Equal(chunkOffset, error.Offset);
        Assert.Contains("truncated", error.Message);

        var partial = TeleopLogReader.Read(path, Tolerant);
        Assert.False(partial.WasClosed);
        var issue = Assert.Single(partial.Issues);
        Assert.Equal(chunkOffset, issue.Offset);
        Assert.InRange(partial.StepCount, 1, 599);
    }

    [Fact]
    public void Zeroed_blocks_after_a_power_cut_end_a_tolerant_read_cleanly()
    {
        string path = WriteLog("zeros.mcap");
        var (chunkOffset, _) = McapFileSurgery.Chunks(path)[2];
        var bytes = File.ReadAllBytes(path)[..(int)chunkOffset].Concat(new byte[8192]).ToArray();
        File.WriteAllBytes(path, bytes);

        Assert.Contains("opcode 0x00", ReadFails(path).Message);
        var partial = TeleopLogReader.Read(path, Tolerant);
        Assert.Contains("opcode 0x00", Assert.Single(partial.Issues).Problem);
        Assert.True(partial.StepCount > 0);
    }

    [Theory]
    [InlineData(McapCompression.None)]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.Lz4)]
    public void A_corrupt_chunk_is_an_error_strictly_and_is_skipped_with_a_warning_when_recovering(McapCompression compression)
    {
        string path = WriteLog("corrupt.mcap", compression: compression);
        var chunks = McapFileSurgery.Chunks(path);
        var (chunkOffset, chunkLength) = chunks[2];
        var bytes = File.ReadAllBytes(path);
        bytes[chunkOffset + chunkLength - 20] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var error = ReadFails(path);
        Assert.InRange(error.Offset, chunkOffset, chunkOffset + chunkLength);
        Assert.Matches("CRC-32|decompress|expands|declares", error.Problem);

        var recovered = TeleopLogReader.Read(path, Recovering);
        Assert.Collection(recovered.Issues,
            skipped => Assert.Contains($"skipped a damaged chunk at byte {chunkOffset}", skipped.Problem),
            dataSection => Assert.Contains("the data section fails its CRC-32 check", dataSection.Problem));
        Assert.InRange(recovered.StepCount, 500, 599);

        string rescued = _directory.File("rescued.mcap");
        var report = McapRecovery.Recover(path, rescued);
        Assert.Contains($"the chunk at byte {chunkOffset} is damaged", Assert.Single(report.Issues).Problem);
        Assert.Equal(recovered.StepCount, TeleopLogReader.Read(rescued).StepCount);
    }

    [Fact]
    public void A_damaged_summary_fails_its_CRC()
    {
        string path = WriteLog("summary.mcap");
        var bytes = File.ReadAllBytes(path);
        long summaryStart = McapFileSurgery.SummaryStart(bytes);
        bytes[summaryStart + 12] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = ReadFails(path);
        Assert.Equal(summaryStart, error.Offset);
        Assert.Contains("summary fails its CRC-32 check", error.Message);
    }

    [Fact]
    public void A_teleop_topic_with_a_schema_we_do_not_know_is_refused_by_name()
    {
        string path = _directory.File("foreign-schema.mcap");
        using (var writer = new McapWriter(File.Create(path)))
        {
            ushort schema = writer.AddSchema("acme.JointState", "protobuf", [1, 2, 3]);
            ushort channel = writer.AddChannel(schema, TeleopTopics.Step, "protobuf");
            writer.WriteMessage(channel, 0, 1, 1, [8, 1]);
        }

        var error = ReadFails(path);
        Assert.Contains("/step carries schema 'acme.JointState'", error.Message);
        Assert.Contains("robotics.log.v1.Step", error.Message);
    }

    [Fact]
    public void An_MCAP_file_without_teleop_channels_is_not_a_teleop_log()
    {
        string path = _directory.File("camera.mcap");
        using (var writer = new McapWriter(File.Create(path)))
        {
            ushort schema = writer.AddSchema("sensor_msgs/msg/Image", "ros2msg", "uint32 height"u8);
            ushort channel = writer.AddChannel(schema, "/camera", "cdr");
            writer.WriteMessage(channel, 0, 1, 1, [0, 1, 0, 0]);
        }

        var error = ReadFails(path);
        Assert.Contains("not a teleop log", error.Message);
        Assert.Contains("/camera (schema 'sensor_msgs/msg/Image' (ros2msg))", error.Message);
    }

    [Fact]
    public void A_step_that_does_not_decode_is_named_with_its_topic_and_type()
    {
        string path = _directory.File("undecodable.mcap");
        using (var writer = new McapWriter(File.Create(path)))
        {
            ushort schema = writer.AddSchema(Step.Descriptor.FullName, "protobuf", TeleopTopics.SchemaData);
            ushort channel = writer.AddChannel(schema, TeleopTopics.Step, "protobuf");
            writer.WriteMessage(channel, 0, 1, 1, [0x22, 0x7F, 0x00]);
        }

        var error = ReadFails(path);
        Assert.Contains("on /step does not decode as robotics.log.v1.Step", error.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_by_path()
    {
        string path = _directory.File("nowhere.mcap");
        var error = Assert.ThrowsAny<IOException>(() => TeleopLogReader.Read(path));
        Assert.Contains(path, error.Message);
    }
}
