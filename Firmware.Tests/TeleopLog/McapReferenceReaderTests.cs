using System.Text.Json;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.TeleopLog;

/// <summary>
/// Our logs read by the reference TypeScript MCAP library (@mcap/core, what Foxglove uses), run by node:
/// CRCs of chunks, data section and summary, message counts per topic, and a Step decoded by protobufjs
/// from the schema we store.
/// </summary>
public sealed class McapReferenceReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(McapCompression.None)]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.Lz4)]
    public void The_reference_reader_validates_our_CRCs_and_counts_our_messages(McapCompression compression)
    {
        string path = _directory.File($"{compression}.mcap");
        TestLogs.Write(path, episodes: 3, stepsPerEpisode: 400, new TeleopLogWriterOptions { Compression = compression, ChunkSizeBytes = 8192, SyncEachChunk = false });
        using var ours = McapIndexedReader.Open(path);

        var check = NodeMcapCheck.Run(path);

        Assert.Equal(ours.ChunkIndexes.Count, check.GetProperty("chunks").GetInt32());
        Assert.Equal(ours.ChunkIndexes.Count, check.GetProperty("indexedChunks").GetInt32());
        Assert.Equal(3 + 1200 + 3, check.GetProperty("messages").GetInt32());
        Assert.Equal(3 + 1200 + 3, check.GetProperty("indexedMessages").GetInt32());
        Assert.Equal(3 + 1200 + 3, check.GetProperty("statisticsMessages").GetInt32());
        Assert.True(check.GetProperty("dataCrcOk").GetBoolean());
        var perTopic = check.GetProperty("messagesPerTopic");
        Assert.Equal(1200, perTopic.GetProperty(TeleopTopics.Step).GetInt32());
        Assert.Equal(3, perTopic.GetProperty(TeleopTopics.EpisodeStart).GetInt32());
        Assert.Equal(3, perTopic.GetProperty(TeleopTopics.EpisodeEnd).GetInt32());

        var step = check.GetProperty("firstStep");
        Assert.Equal("robotics.log.v1.Step", step.GetProperty("schema").GetString());
        Assert.Equal("ACTION_SOURCE_TELEOP", step.GetProperty("source").GetString());
        Assert.Equal([.. Enumerable.Range(0, 6).Select(i => TestLogs.Observation(1, 0, i))],
            step.GetProperty("observation").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public void A_recovered_log_is_valid_for_the_reference_reader()
    {
        string path = _directory.File("cut.mcap");
        TestLogs.Write(path, episodes: 2, stepsPerEpisode: 300, new TeleopLogWriterOptions { ChunkSizeBytes = 4096, SyncEachChunk = false });
        var (offset, length) = McapFileSurgery.Chunks(path)[^2];
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(offset + length / 2)]);
        string recovered = _directory.File("recovered.mcap");

        var report = McapRecovery.Recover(path, recovered);
        var check = NodeMcapCheck.Run(recovered);

        Assert.Equal(report.Messages, check.GetProperty("indexedMessages").GetInt64());
        Assert.Equal(TeleopLogReader.Read(recovered).StepCount, check.GetProperty("messagesPerTopic").GetProperty(TeleopTopics.Step).GetInt64());
        Assert.Equal(JsonValueKind.True, check.GetProperty("dataCrcOk").ValueKind);
    }
}
