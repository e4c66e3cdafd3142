using Robotics.Protos;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;

namespace Robotics.Tests.Support;

/// <summary>Teleop logs from experts whose policy is known exactly, to check what training recovers.</summary>
public static class SyntheticExperts
{
    /// <summary>A linear-Gaussian expert: a* = W·x + b + σ⊙ε, x ~ N(0, I), ε ~ N(0, I).</summary>
    public sealed record LinearGaussian(double[,] W, double[] B, double[] Sigma)
    {
        public int Observations => W.GetLength(1);
        public int Actions => W.GetLength(0);

        public double Mean(int action, ReadOnlySpan<float> x)
        {
            double sum = B[action];
            for (int j = 0; j < Observations; j++)
            {
                sum += W[action, j] * x[j];
            }
            return sum;
        }

        public static LinearGaussian Random(int observations, int actions, int seed)
        {
            var random = new Random(seed);
            var w = new double[actions, observations];
            for (int i = 0; i < actions; i++)
            {
                for (int j = 0; j < observations; j++)
                {
                    w[i, j] = 2 * random.NextDouble() - 1;
                }
            }
            return new LinearGaussian(w, [.. Enumerable.Range(0, actions).Select(_ => 2 * random.NextDouble() - 1)],
                [.. Enumerable.Range(0, actions).Select(i => 0.1 + 0.2 * i)]);
        }
    }

    public static EpisodeInfo Robot(int observations, int actions, IReadOnlyList<string>? discrete = null) => new(
        "sim:synthetic",
        [.. Enumerable.Range(0, observations).Select(i => new SignalSpec($"x{i}", "1"))],
        discrete is null ? [.. Enumerable.Range(0, actions).Select(i => new SignalSpec($"a{i}", "1"))] : [new SignalSpec("choice", "index")],
        controlRateHz: 50,
        discreteActions: discrete);

    public static void WriteLinearGaussian(string path, LinearGaussian expert, int episodes, int steps, int seed,
        Func<ulong, ulong, ActionSource>? source = null, Func<ulong, EpisodeOutcome>? outcome = null)
    {
        var random = new Random(seed);
        var x = new float[expert.Observations];
        var a = new float[expert.Actions];
        Write(path, Robot(expert.Observations, expert.Actions), episodes, steps, source, outcome, () =>
        {
            for (int j = 0; j < x.Length; j++)
            {
                x[j] = (float)Normal(random);
            }
            for (int i = 0; i < a.Length; i++)
            {
                a[i] = (float)(expert.Mean(i, x) + expert.Sigma[i] * Normal(random));
            }
            return (x, a);
        });
    }

    /// <summary>A discrete expert choosing argmax_k (V·x)_k among <paramref name="choices"/> actions.</summary>
    public static double[,] WriteDiscrete(string path, int observations, int choices, int episodes, int steps, int seed)
    {
        var random = new Random(seed);
        var v = new double[choices, observations];
        for (int k = 0; k < choices; k++)
        {
            for (int j = 0; j < observations; j++)
            {
                v[k, j] = 2 * random.NextDouble() - 1;
            }
        }
        var x = new float[observations];
        var a = new float[1];
        Write(path, Robot(observations, 1, [.. Enumerable.Range(0, choices).Select(k => $"choice{k}")]), episodes, steps, null, null, () =>
        {
            for (int j = 0; j < observations; j++)
            {
                x[j] = (float)Normal(random);
            }
            a[0] = Best(v, x);
            return (x, a);
        });
        return v;
    }

    public static int Best(double[,] v, ReadOnlySpan<float> x)
    {
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int k = 0; k < v.GetLength(0); k++)
        {
            double score = 0;
            for (int j = 0; j < x.Length; j++)
            {
                score += v[k, j] * x[j];
            }
            if (score > bestScore)
            {
                (best, bestScore) = (k, score);
            }
        }
        return best;
    }

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void Write(string path, EpisodeInfo robot, int episodes, int steps, Func<ulong, ulong, ActionSource>? source,
        Func<ulong, EpisodeOutcome>? outcome, Func<(float[] X, float[] A)> next)
    {
        using var writer = TeleopLogWriter.Create(path, robot, new TeleopLogWriterOptions { SyncEachChunk = false });
        long time = MonotonicClock.NowNs();
        for (ulong episode = 1; episode <= (ulong)episodes; episode++)
        {
            writer.BeginEpisode(episode, time);
            for (ulong tick = 0; tick < (ulong)steps; tick++)
            {
                var (x, a) = next();
                var step = new StepRecord
                {
                    TimestampNs = time += 20_000_000,
                    EpisodeId = episode,
                    Tick = tick,
                    Observation = x,
                    Action = a,
                    Source = source?.Invoke(episode, tick) ?? ActionSource.Teleop,
                };
                writer.Append(step);
            }
            writer.EndEpisode(episode, time, outcome?.Invoke(episode) ?? EpisodeOutcome.Success, "done");
        }
    }
}
