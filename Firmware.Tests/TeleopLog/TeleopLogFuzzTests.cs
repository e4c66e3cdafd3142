using Robotics.Protos.Mcap;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Xunit.Abstractions;

namespace Robotics.Tests.TeleopLog;

/// <summary>
/// Random mutations of valid logs. Every read ends in a result or one McapFormatException, never another
/// exception, a hang, or a runaway allocation; `trainer log info` and `trainer log recover` end in a result or one
/// error line naming the file; recovery never overwrites an existing file, and keeps every message of every chunk
/// that the reference reader (@mcap/core) finds passing its CRC in the mutant.
/// </summary>
public sealed class TeleopLogFuzzTests(ITestOutputHelper output) : IDisposable
{
    // Bounded so that the three codecs' runs together take seconds: each mutant is read four ways, summarized
    // and recovered, and the reference reader lists the intact chunks of all of them in one node process.
    private const int MutationsPerFile = 100;
    private static readonly TimeSpan PerOperationLimit = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(McapCompression.None, 11)]
    [InlineData(McapCompression.Zstd, 12)]
    [InlineData(McapCompression.Lz4, 13)]
    public async Task Mutated_logs_are_read_recovered_or_refused_with_one_clear_error(McapCompression compression, int ciSeed)
    {
        int seed = FuzzCampaign.Seed(ciSeed);
        var original = TestLogs.Bytes(_directory, episodes: 2, stepsPerEpisode: 60, compression, chunkSizeBytes: 1024);
        string originalPath = _directory.File("original.mcap");
        File.WriteAllBytes(originalPath, original);
        var random = new Random(seed);
        var readers = new (string Name, Func<string, object> Read)[]
        {
            ("strict", p => TeleopLogReader.Read(p)),
            ("tolerant", p => TeleopLogReader.Read(p, new TeleopLogReadOptions { Access = TeleopLogAccess.Sequential, Mcap = McapReadOptions.TolerateTruncation })),
            ("recover", p => TeleopLogReader.Read(p, new TeleopLogReadOptions { Access = TeleopLogAccess.Sequential, Mcap = McapReadOptions.Recover })),
            ("indexed", p => TeleopLogReader.Read(p, new TeleopLogReadOptions { Access = TeleopLogAccess.Indexed, Mcap = McapReadOptions.Recover })),
        };
        int refused = 0;
        int read = 0;
        var recoveries = new List<(string Mutant, string Description, string? Output)>();
        for (int i = 0; i < MutationsPerFile; i++)
        {
            var (mutant, description) = Mutate(original, random);
            string path = _directory.File($"mutant-{i}.mcap");
            File.WriteAllBytes(path, mutant);
            description = $"seed {seed}, mutation {i} ({description})";
            foreach (var (name, reader) in readers)
            {
                var attempt = await Bounded(() => reader(path), $"{description} hung the {name} reader");
                if (attempt.IsFaulted)
                {
                    var error = attempt.Exception!.InnerException!;
                    Assert.True(error is McapFormatException, $"{description} made the {name} reader throw {error}");
                    refused++;
                }
                else
                {
                    read++;
                }
            }

            var info = await Cli(description, "log", "info", path);
            AssertResultOrOneError(info, path, description);

            string existing = _directory.File($"existing-{i}.mcap");
            if (i % 10 == 0)
            {
                File.WriteAllText(existing, "an earlier recording");
                var refusal = await Cli(description, "log", "recover", path, "-o", existing);
                Assert.True(refusal.ExitCode == 1 && refusal.Stderr.Contains("already exists"), $"{description}: recover over an existing file: {refusal.Stderr}");
                Assert.Equal("an earlier recording", File.ReadAllText(existing));
            }
            string recovered = _directory.File($"recovered-{i}.mcap");
            var recover = await Cli(description, "log", "recover", path, "-o", recovered);
            AssertResultOrOneError(recover, path, description);
            recoveries.Add((path, description, File.Exists(recovered) ? recovered : null));
        }

        var intact = NodeMcapCheck.MessagesInCrcValidChunks([originalPath, .. recoveries.Select(r => r.Mutant)]);
        Assert.Empty(RecoveredMessages.Missing(originalPath, intact[originalPath], originalPath));
        Assert.Equal(RecoveredMessages.Of(originalPath).Count, intact[originalPath].Count);
        int kept = 0;
        foreach (var (mutant, description, recovered) in recoveries)
        {
            var messages = intact[mutant];
            if (recovered is null)
            {
                Assert.True(messages.Count == 0, $"{description}: recovery wrote nothing, but {messages.Count} messages lie in chunks that pass their CRC");
                continue;
            }
            var missing = RecoveredMessages.Missing(originalPath, messages, recovered);
            Assert.True(missing.Count == 0, $"{description}: recovery lost {missing.Count} of {messages.Count} messages in chunks that pass their CRC, e.g. {string.Join(", ", missing.Take(3))}");
            kept += messages.Count;
        }
        output.WriteLine($"{compression}: {read} reads succeeded, {refused} refused with a format error; recovery kept all {kept} messages in intact chunks");
        Assert.True(refused > 0 && read > 0);
    }

    private static async Task<Task<T>> Bounded<T>(Func<T> operation, string hang)
    {
        var attempt = Task.Run(operation);
        if (await Task.WhenAny(attempt, Task.Delay(PerOperationLimit)) != attempt)
        {
            Assert.Fail(hang);
        }
        return attempt;
    }

    private static async Task<CliRun> Cli(string description, params string[] args)
    {
        var attempt = await Bounded(() => CliRun.Of(TrainerCli.Build(), args), $"{description} hung `trainer {string.Join(' ', args)}`");
        return await attempt;
    }

    /// <summary>Exit 0, or exit 1 with one error line that names the file and carries no stack trace.</summary>
    private static void AssertResultOrOneError(CliRun run, string path, string description)
    {
        if (run.ExitCode == 0)
        {
            return;
        }
        Assert.True(run.ExitCode == 1, $"{description}: exit code {run.ExitCode}: {run.Stderr}");
        string error = run.Stderr.Trim().Split('\n')[^1];
        Assert.True(error.StartsWith("error: ", StringComparison.Ordinal) && error.Contains(Path.GetFileNameWithoutExtension(path)),
            $"{description}: the error does not name the file: {run.Stderr}");
        Assert.DoesNotContain("Exception", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
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
