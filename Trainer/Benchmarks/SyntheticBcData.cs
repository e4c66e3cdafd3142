using Robotics.Trainer.Data;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Trainer.Benchmarks;

/// <summary>
/// Demonstrations from a nonlinear Gaussian expert, a* = tanh(x·A)·B + σ⊙ε with x ~ N(0, I), made in
/// memory and seeded, so the trainer and the PyTorch comparison fit exactly the same samples.
/// </summary>
public static class SyntheticBcData
{
    public static Demonstrations Create(int observations, int actions, int episodes, int stepsPerEpisode, int seed)
    {
        var random = new Random(seed);
        const int features = 16;
        var a = Matrix(random, observations, features, 1 / Math.Sqrt(observations));
        var b = Matrix(random, features, actions, 1 / Math.Sqrt(features));
        var sigma = Enumerable.Range(0, actions).Select(i => 0.1 + 0.3 * i / Math.Max(1, actions - 1)).ToArray();
        var list = new List<DemoEpisode>();
        var hidden = new double[features];
        for (int e = 0; e < episodes; e++)
        {
            var obs = new float[stepsPerEpisode * observations];
            var act = new float[stepsPerEpisode * actions];
            for (int t = 0; t < stepsPerEpisode; t++)
            {
                var x = obs.AsSpan(t * observations, observations);
                for (int j = 0; j < observations; j++)
                {
                    x[j] = (float)Normal(random);
                }
                for (int k = 0; k < features; k++)
                {
                    double sum = 0;
                    for (int j = 0; j < observations; j++)
                    {
                        sum += x[j] * a[j, k];
                    }
                    hidden[k] = Math.Tanh(sum);
                }
                for (int i = 0; i < actions; i++)
                {
                    double sum = 0;
                    for (int k = 0; k < features; k++)
                    {
                        sum += hidden[k] * b[k, i];
                    }
                    act[t * actions + i] = (float)(sum + sigma[i] * Normal(random));
                }
            }
            list.Add(new DemoEpisode("synthetic", (ulong)e + 1, stepsPerEpisode, obs, act, []));
        }
        return new Demonstrations
        {
            Kind = new GaussianHead(),
            Robot = "synthetic",
            ControlRateHz = 100,
            ObservationNames = [.. Enumerable.Range(0, observations).Select(i => $"x{i}")],
            ActionNames = [.. Enumerable.Range(0, actions).Select(i => $"a{i}")],
            DiscreteActionNames = [],
            Episodes = list,
        };
    }

    private static double[,] Matrix(Random random, int rows, int columns, double scale)
    {
        var m = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                m[i, j] = scale * Normal(random);
            }
        }
        return m;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
