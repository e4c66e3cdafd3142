using System.Buffers.Binary;
using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.TeleopLog;

/// <summary>
/// `trainer log recover` on one kind of damage per row, checked against the reference reader (@mcap/core): every
/// message in a chunk of the damaged file that passes its CRC must reach the recovered file byte for byte, and
/// where the damage hit no chunk, every message must; damaged schemas and channels must not be copied forward.
/// </summary>
public sealed class TeleopLogRecoveryTests : IDisposable
{
    private const int Episodes = 6;
    private const int StepsPerEpisode = 200;

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>Damage to a log (given its bytes, chunks and top-level records) and whether every message must survive it.</summary>
    private sealed record Damage(Func<byte[], Layout, byte[]> Apply, bool KeepsEverything);

    private sealed record Layout(IReadOnlyList<(long Offset, long Length)> Chunks, IReadOnlyList<(long Offset, McapOpcode Opcode, long Length)> Records)
    {
        public (long Offset, McapOpcode Opcode, long Length) Record(McapOpcode opcode, int index) => Records.Where(r => r.Opcode == opcode).ElementAt(index);
    }

    private static readonly Dictionary<string, Damage> Damages = new()
    {
        ["chunk length field +1000"] = new((bytes, log) => AddToLength(bytes, log.Chunks[2].Offset, 1000), KeepsEverything: true),
        ["chunk length field huge"] = new((bytes, log) => SetLength(bytes, log.Chunks[2].Offset, ulong.MaxValue - 7), KeepsEverything: true),
        ["chunk length field -500"] = new((bytes, log) => AddToLength(bytes, log.Chunks[4].Offset, -500), KeepsEverything: true),
        ["trailing magic flipped"] = new((bytes, _) => Flip(bytes, bytes.Length - 1, 0x01), KeepsEverything: true),
        ["footer opcode flipped"] = new((bytes, log) => Flip(bytes, FooterAt(bytes), 0x40), KeepsEverything: true),
        ["footer summary offset"] = new((bytes, log) => AddToUInt64(bytes, FooterAt(bytes) + McapLayout.RecordPrefixLength, 3), KeepsEverything: true),
        ["summary fails its CRC"] = new((bytes, _) => Flip(bytes, McapFileSurgery.SummaryStart(bytes) + 12, 0x01), KeepsEverything: true),
        ["schema bytes"] = new((bytes, log) => FlipSchemas(bytes, log), KeepsEverything: true),
        ["schema bytes, summary unreadable"] = new((bytes, log) => Flip(FlipSchemas(bytes, log), McapFileSurgery.SummaryStart(bytes) + 12, 0x01), KeepsEverything: true),
        ["channel topic bytes"] = new((bytes, log) => RenameEpisodeEnd(bytes, log), KeepsEverything: true),
        ["channel topic bytes, summary unreadable"] = new((bytes, log) => Flip(RenameEpisodeEnd(bytes, log), McapFileSurgery.SummaryStart(bytes) + 12, 0x01), KeepsEverything: true),
        ["chunk opcode flipped"] = new((bytes, log) => Flip(bytes, log.Chunks[3].Offset, 0x10), KeepsEverything: true),
        ["header length field"] = new((bytes, log) => AddToLength(bytes, log.Record(McapOpcode.Header, 0).Offset, 7), KeepsEverything: true),
        ["bytes inserted between chunks"] = new((bytes, log) => [.. bytes[..(int)log.Chunks[3].Offset], .. Enumerable.Repeat((byte)0x06, 100), .. bytes[(int)log.Chunks[3].Offset..]], KeepsEverything: true),
        ["two chunk lengths and the summary"] = new((bytes, log) =>
            Flip(AddToLength(AddToLength(bytes, log.Chunks[1].Offset, 1000), log.Chunks[5].Offset, -300), McapFileSurgery.SummaryStart(bytes) + 12, 0x01), KeepsEverything: true),
        ["chunk fails its CRC"] = new((bytes, log) => Flip(bytes, log.Chunks[1].Offset + log.Chunks[1].Length - 20, 0x5A), KeepsEverything: false),
        ["zeroed block over a chunk"] = new((bytes, log) => Zero(bytes, log.Chunks[2].Offset, log.Chunks[2].Length), KeepsEverything: false),
        ["truncated mid-chunk"] = new((bytes, log) => bytes[..(int)(log.Chunks[^2].Offset + log.Chunks[^2].Length / 2)], KeepsEverything: false),
        ["truncated mid-record"] = new((bytes, log) => bytes[..(int)(log.Chunks[^2].Offset + 5)], KeepsEverything: false),
    };

    public static TheoryData<string> DamageKinds() => [.. Damages.Keys];

    [Theory]
    [MemberData(nameof(DamageKinds))]
    public void Recovery_keeps_every_message_of_every_chunk_that_passes_its_CRC(string kind)
    {
        string original = _directory.File("original.mcap");
        TestLogs.Write(original, Episodes, StepsPerEpisode, new TeleopLogWriterOptions { ChunkSizeBytes = 4096, SyncEachChunk = false });
        var bytes = File.ReadAllBytes(original);
        var layout = new Layout(McapFileSurgery.Chunks(original), McapFileSurgery.Records(bytes));
        var damage = Damages[kind];
        string damaged = _directory.File("damaged.mcap");
        File.WriteAllBytes(damaged, damage.Apply((byte[])bytes.Clone(), layout));
        string recovered = _directory.File("recovered.mcap");

        var run = CliRun.Of(TrainerCli.Build(), "log", "recover", damaged, "-o", recovered, "--json");

        Assert.True(run.ExitCode == 0, $"{kind}: {run.Stderr}");
        var intact = NodeMcapCheck.MessagesInCrcValidChunks([damaged])[damaged];
        Assert.NotEmpty(intact);
        var missing = RecoveredMessages.Missing(original, intact, recovered);
        Assert.True(missing.Count == 0, $"{kind}: {missing.Count} of {intact.Count} messages in chunks that pass their CRC were lost, e.g. {string.Join(", ", missing.Take(3))}");
        if (!damage.KeepsEverything)
        {
            return;
        }
        Assert.Equal(RecoveredMessages.Of(original), RecoveredMessages.Of(recovered));
        var log = TeleopLogReader.Read(recovered);
        Assert.Empty(log.Issues);
        Assert.Equal(Episodes, log.Episodes.Count(e => e.End is not null));
        using var reader = McapIndexedReader.Open(recovered);
        Assert.All(reader.Channels.Values, channel => Assert.Contains(channel.Topic, TeleopTopics.All.Select(t => t.Topic)));
        Assert.All(reader.Schemas.Values, schema => Assert.True(schema.Data.Span.SequenceEqual(TeleopTopics.SchemaData), $"{kind}: schema {schema.Name} was copied damaged"));
    }

    [Fact]
    public void A_damaged_channel_that_nothing_identifies_is_dropped_saying_which()
    {
        string original = _directory.File("original.mcap");
        TestLogs.Write(original, Episodes, StepsPerEpisode, new TeleopLogWriterOptions { ChunkSizeBytes = 4096, SyncEachChunk = false });
        var bytes = File.ReadAllBytes(original);
        var layout = new Layout(McapFileSurgery.Chunks(original), McapFileSurgery.Records(bytes));
        var endSchema = layout.Record(McapOpcode.Schema, 2).Offset + McapLayout.RecordPrefixLength + 2 + 4;
        Assert.Equal((byte)'d', bytes[endSchema + 25]);
        Flip(RenameEpisodeEnd(bytes, layout), endSchema + 25, 0x20);
        Flip(bytes, McapFileSurgery.SummaryStart(bytes) + 12, 0x01);
        string damaged = _directory.File("damaged.mcap");
        File.WriteAllBytes(damaged, bytes);
        string recovered = _directory.File("recovered.mcap");

        var run = CliRun.Of(TrainerCli.Build(), "log", "recover", damaged, "-o", recovered);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"dropped {Episodes} messages: channel 3 ('/episode+end', schema 'robotics.log.v1.EpisodeEnD') is none of the channels this recorder writes", run.Stderr);
        var log = TeleopLogReader.Read(recovered);
        Assert.Empty(log.Issues);
        Assert.Equal(Episodes * StepsPerEpisode, log.StepCount);
        Assert.All(log.Episodes, episode => Assert.Null(episode.End));
    }

    private static long FooterAt(byte[] file) => file.Length - McapLayout.Magic.Length - McapLayout.RecordPrefixLength - McapLayout.FooterContentLength;

    private static byte[] Flip(byte[] bytes, long at, byte mask)
    {
        bytes[at] ^= mask;
        return bytes;
    }

    private static byte[] Zero(byte[] bytes, long at, long count)
    {
        Array.Clear(bytes, (int)at, (int)count);
        return bytes;
    }

    private static byte[] AddToUInt64(byte[] bytes, long at, long delta)
    {
        var field = bytes.AsSpan((int)at, 8);
        BinaryPrimitives.WriteUInt64LittleEndian(field, (ulong)((long)BinaryPrimitives.ReadUInt64LittleEndian(field) + delta));
        return bytes;
    }

    private static byte[] AddToLength(byte[] bytes, long record, long delta) => AddToUInt64(bytes, record + 1, delta);

    private static byte[] SetLength(byte[] bytes, long record, ulong length)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)record + 1, 8), length);
        return bytes;
    }

    /// <summary>The Step schema's name gets a wrong letter; the EpisodeStart schema's FileDescriptorSet, a flipped byte.</summary>
    private static byte[] FlipSchemas(byte[] bytes, Layout log)
    {
        // Schema content: id u16, name (u32 length + UTF-8), encoding, data.
        long step = log.Record(McapOpcode.Schema, 1).Offset + McapLayout.RecordPrefixLength + 2 + 4;
        Flip(bytes, step + 3, 0x20);
        var start = log.Record(McapOpcode.Schema, 0);
        return Flip(bytes, start.Offset + start.Length - 40, 0x08);
    }

    /// <summary>The data section's /episode/end channel becomes /episode+end ('/' and '+' differ in one bit).</summary>
    private static byte[] RenameEpisodeEnd(byte[] bytes, Layout log)
    {
        // Channel content: id u16, schema id u16, topic (u32 length + UTF-8).
        long topic = log.Record(McapOpcode.Channel, 2).Offset + McapLayout.RecordPrefixLength + 2 + 2 + 4;
        Assert.Equal((byte)'/', bytes[topic + 8]);
        return Flip(bytes, topic + 8, '/' ^ '+');
    }
}
