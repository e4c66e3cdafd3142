using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;

namespace Robotics.Tests.TeleopLog;

/// <summary>
/// When the disk fills, the writer's count of steps that reached the file is exactly what a reader gets back from
/// it: the recorder reports that count to the operator as what `trainer log recover` keeps, so it must be neither
/// more (a promise broken) nor fewer (a chunk reported lost that is there).
/// </summary>
public sealed class TeleopLogDiskFullTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(McapCompression.None)]
    [InlineData(McapCompression.Zstd)]
    public void The_steps_counted_as_kept_are_the_steps_a_reader_finds_wherever_the_disk_fills(McapCompression compression)
    {
        var options = new TeleopLogWriterOptions { Compression = compression, ChunkSizeBytes = 4096, SyncEachChunk = false };
        long whole = TestLogs.Bytes(_directory, Episodes, StepsPerEpisode, compression).Length;
        var wrong = new List<string>();
        // Every 97th byte (a prime, so the cuts land at every offset within records of any size), and the last one.
        var capacities = Enumerable.Range(0, (int)(whole / 97) + 1).Select(i => i * 97L).Append(whole - 1).Distinct();
        foreach (long capacity in capacities)
        {
            string path = _directory.File($"full-at-{capacity}.mcap");
            using var disk = new DiskOfSize(path, capacity);
            TeleopLogWriter writer;
            try
            {
                writer = new TeleopLogWriter(disk, TestLogs.Robot(), options);
            }
            catch (IOException)
            {
                continue; // the disk filled before the log's header was whole: nothing to count
            }
            long kept = WriteUntilFull(writer);
            disk.Dispose();
            long found = TeleopLogReader.Read(path, new TeleopLogReadOptions { Mcap = McapReadOptions.TolerateTruncation }).StepCount;
            if (found != kept)
            {
                wrong.Add($"full at byte {capacity}: {kept} steps counted as kept, {found} in the file");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(10)));
    }

    private const int Episodes = 2;
    private const int StepsPerEpisode = 300;

    /// <summary>Writes and closes the test log until the disk refuses a write; returns the steps the writer then counts as kept.</summary>
    private static long WriteUntilFull(TeleopLogWriter writer)
    {
        try
        {
            TestLogs.WriteEpisodes(writer, Episodes, StepsPerEpisode);
            writer.Dispose();
        }
        catch (IOException)
        {
        }
        return writer.PersistedSteps;
    }

    /// <summary>
    /// A file on a disk with room for <c>capacity</c> bytes: a write that does not fit stores what fits and fails, as
    /// write(2) does with ENOSPC or EFBIG; every later write fails too.
    /// </summary>
    private sealed class DiskOfSize(string path, long capacity) : Stream
    {
        private readonly FileStream _file = new(path, FileMode.CreateNew, FileAccess.Write);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _file.Length;
        public override long Position { get => _file.Position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            long room = capacity - _file.Position;
            _file.Write(buffer[..(int)Math.Min(buffer.Length, Math.Max(room, 0))]);
            if (buffer.Length > room)
            {
                throw new IOException("No space left on device");
            }
        }

        public override void Flush() => _file.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _file.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
