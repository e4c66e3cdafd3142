using System.Diagnostics;

namespace Robotics.Tests.Support;

/// <summary>What one fuzz case came to: what was wrong (null when nothing), and whether the input was accepted and drove a robot.</summary>
public readonly record struct FuzzVerdict(string? Failure, bool Driven)
{
    public static FuzzVerdict Refused(string? failure) => new(failure, false);
}

/// <summary>
/// A seeded fuzz campaign over one kind of input file: each case's mutated bytes are written to a file of their own and
/// judged within a time limit (a hang is a failure, not a stuck suite), and the file must be byte for byte what was
/// written afterwards (nothing may write over its input). Failures name the seed, the case and the mutation, which
/// replay it.
/// </summary>
public sealed class FuzzCampaign(string kind, int seed, TimeSpan caseLimit)
{
    /// <summary>The seed to run: FUZZ_SEED when set (to explore others), else the one CI runs.</summary>
    public static int Seed(int ciSeed) => int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out int seed) ? seed : ciSeed;

    public sealed record Outcome(IReadOnlyList<string> Failures, int Refused, int Driven, TimeSpan Took)
    {
        public override string ToString() => $"{Refused} refused, {Driven} driven, {Failures.Count} failed, in {Took.TotalSeconds:F1} s";
    }

    /// <param name="cases">How many cases.</param>
    /// <param name="mutate">Case number and the campaign's random source → the damaged file's bytes and what was done to them.</param>
    /// <param name="file">Case number → the path to write the case to.</param>
    /// <param name="judge">Case number and path → the verdict.</param>
    public async Task<Outcome> RunAsync(int cases, Func<int, Random, (byte[] Bytes, string What)> mutate, Func<int, string> file, Func<int, string, FuzzVerdict> judge)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        int refused = 0, driven = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            var (bytes, what) = mutate(i, random);
            string path = file(i);
            File.WriteAllBytes(path, bytes);
            int index = i;
            FuzzVerdict verdict;
            try
            {
                verdict = await Task.Run(() => judge(index, path)).WaitAsync(caseLimit);
            }
            catch (TimeoutException)
            {
                verdict = FuzzVerdict.Refused($"did not finish within {caseLimit.TotalSeconds} s");
            }
            string? failure = verdict.Failure ?? (File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes) ? null : $"the {kind} file was written to");
            if (failure is not null)
            {
                failures.Add($"seed {seed}, case {i} ({what}): {failure}");
            }
            else if (verdict.Driven)
            {
                driven++;
            }
            else
            {
                refused++;
            }
        }
        return new Outcome(failures, refused, driven, clock.Elapsed);
    }
}
