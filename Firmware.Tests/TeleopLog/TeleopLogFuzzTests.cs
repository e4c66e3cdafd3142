using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Support;
using Xunit.Abstractions;

namespace Robotics.Tests.TeleopLog;

/// <summary>
/// Random mutations of valid logs: every read must end in a result or one McapFormatException, never
/// another exception, a hang, or a runaway allocation.
/// </summary>
public sealed class TeleopLogFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int MutationsPerFile = 2000;
    private static readonly TimeSpan PerReadLimit = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(McapCompression.None, 11)]
    [InlineData(McapCompression.Zstd, 12)]
    [InlineData(McapCompression.Lz4, 13)]
    public async Task Mutated_logs_are_read_or_refused_with_a_format_error(McapCompression compression, int seed)
    {
        var original = TestLogs.Bytes(_directory, episodes: 2, stepsPerEpisode: 60, compression, chunkSizeBytes: 1024);
        var random = new Random(seed);
        string path = _directory.File("mutant.mcap");
        var readers = new (string Name, Func<string, object> Read)[]
        {
            ("strict", p => TeleopLogReader.Read(p)),
            ("tolerant", p => TeleopLogReader.Read(p, new TeleopLogReadOptions { Access = TeleopLogAccess.Sequential, Mcap = McapReadOptions.TolerateTruncation })),
            ("recover", p => TeleopLogReader.Read(p, new TeleopLogReadOptions { Access = TeleopLogAccess.Sequential, Mcap = McapReadOptions.Recover })),
            ("indexed", p => TeleopLogReader.Read(p, new TeleopLogReadOptions { Access = TeleopLogAccess.Indexed, Mcap = McapReadOptions.Recover })),
        };
        int refused = 0;
        int read = 0;
        for (int i = 0; i < MutationsPerFile; i++)
        {
            var (mutant, description) = Mutate(original, random);
            File.WriteAllBytes(path, mutant);
            foreach (var (name, reader) in readers)
            {
                var attempt = Task.Run(() => reader(path));
                if (await Task.WhenAny(attempt, Task.Delay(PerReadLimit)) != attempt)
                {
                    Assert.Fail($"mutation {i} ({description}) hung the {name} reader");
                }
                if (attempt.IsFaulted)
                {
                    var error = attempt.Exception!.InnerException!;
                    Assert.True(error is McapFormatException, $"mutation {i} ({description}) made the {name} reader throw {error}");
                    refused++;
                }
                else
                {
                    read++;
                }
            }
        }
        output.WriteLine($"{compression}: {read} reads succeeded, {refused} refused with a format error");
        Assert.True(refused > 0 && read > 0);
    }

    private static (byte[] Bytes, string Description) Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0:
            {
                int flips = random.Next(1, 9);
                for (int i = 0; i < flips; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }
                return (bytes, $"{flips} bit flips");
            }
            case 1:
            {
                int at = random.Next(bytes.Length - 8);
                random.NextBytes(bytes.AsSpan(at, 8));
                return (bytes, $"8 random bytes at {at}");
            }
            case 2:
            {
                int length = random.Next(bytes.Length);
                return (bytes[..length], $"truncated to {length}");
            }
            case 3:
            {
                int at = random.Next(bytes.Length);
                var inserted = new byte[random.Next(1, 64)];
                random.NextBytes(inserted);
                return ([.. bytes[..at], .. inserted, .. bytes[at..]], $"{inserted.Length} bytes inserted at {at}");
            }
            default:
            {
                // A length field set huge: the reader must refuse, not allocate it.
                int at = random.Next(bytes.Length - 8);
                BitConverter.TryWriteBytes(bytes.AsSpan(at, 8), ulong.MaxValue - (ulong)random.Next(1000));
                return (bytes, $"huge uint64 at {at}");
            }
        }
    }
}
