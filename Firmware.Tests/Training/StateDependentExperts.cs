using Robotics.Tests.Support;
using Robotics.Trainer.Data;
using Robotics.Trainer.Policies.Heads;

namespace Robotics.Tests.Training;

/// <summary>
/// Demonstrations, made in memory, from experts whose noise depends on the state, so a policy that learns them is
/// surer in some states than in others and its uncertainty has a spread for a help threshold to cut. Every tick
/// draws its state x ~ N(0, I) afresh: ticks are independent, within an episode and across episodes. The
/// expert itself is fixed; <c>seed</c> only chooses which states and actions are recorded.
/// </summary>
internal static class StateDependentExperts
{
    private const int Observations = 3;
    private const int Actions = 2;
    private const int Choices = 3;

    /// <summary>a*ᵢ = (W·x)ᵢ + σ(x)·ε with σ(x) = 0.05 + 0.5·sigmoid(2·x₀): quiet on one side of the state space, noisy on the other.</summary>
    public static Demonstrations Gaussian(int episodes, int steps, int seed)
    {
        var w = Matrix(Actions, new Random(100));
        return Record(new GaussianHead(), episodes, steps, seed, Actions, [], (x, random, action) =>
        {
            double sigma = 0.05 + 0.5 / (1 + Math.Exp(-2 * x[0]));
            for (int i = 0; i < Actions; i++)
            {
                action[i] = (float)(Dot(w, i, x) + sigma * SyntheticExperts.Normal(random));
            }
        });
    }

    /// <summary>
    /// Two ways of acting: a* = s·(W·x) + σ(x)·ε with s = +1 or −1 at random each tick and σ(x) as <see cref="Gaussian"/>'s.
    /// One Gaussian's mean learns their average, 0; a mixture learns a component for each.
    /// </summary>
    /// <param name="head">The head to learn them with: a mixture unless another is given, to compare.</param>
    public static Demonstrations Bimodal(int episodes, int steps, int seed, PolicyHead? head = null)
    {
        var w = Matrix(Actions, new Random(100));
        return Record(head ?? new GaussianMixtureHead(), episodes, steps, seed, Actions, [], (x, random, action) =>
        {
            double sign = random.NextDouble() < 0.5 ? -1 : 1;
            double sigma = 0.05 + 0.5 / (1 + Math.Exp(-2 * x[0]));
            for (int i = 0; i < Actions; i++)
            {
                action[i] = (float)(sign * Dot(w, i, x) + sigma * SyntheticExperts.Normal(random));
            }
        });
    }

    /// <summary>The experts' W (<see cref="Gaussian"/>, <see cref="Bimodal"/>): row i gives action i's mean.</summary>
    public static double ExpertMean(int action, float[] x) => Dot(Matrix(Actions, new Random(100)), action, x);

    /// <summary>a* drawn from softmax(2·V·x): nearly certain far from the boundaries between choices, torn near them.</summary>
    public static Demonstrations Categorical(int episodes, int steps, int seed)
    {
        var v = Matrix(Choices, new Random(200));
        var probabilities = new double[Choices];
        return Record(new CategoricalHead(), episodes, steps, seed, 1, [.. Enumerable.Range(0, Choices).Select(k => $"choice{k}")], (x, random, action) =>
        {
            double sum = 0;
            for (int k = 0; k < Choices; k++)
            {
                probabilities[k] = Math.Exp(2 * Dot(v, k, x));
                sum += probabilities[k];
            }
            double u = random.NextDouble() * sum;
            int choice = 0;
            while (choice < Choices - 1 && (u -= probabilities[choice]) > 0)
            {
                choice++;
            }
            action[0] = choice;
        });
    }

    /// <param name="act">Fills the expert's action for a state; with <paramref name="discrete"/> actions it is the chosen index.</param>
    private static Demonstrations Record(PolicyHead head, int episodes, int steps, int seed, int actionWidth, string[] discrete,
        Action<float[], Random, float[]> act)
    {
        var random = new Random(seed);
        var x = new float[Observations];
        var action = new float[actionWidth];
        var list = new List<DemoEpisode>();
        for (int e = 0; e < episodes; e++)
        {
            var obs = new float[steps * Observations];
            var actions = new float[steps * actionWidth];
            var labels = new List<long>();
            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < Observations; j++)
                {
                    x[j] = (float)SyntheticExperts.Normal(random);
                }
                act(x, random, action);
                if (discrete.Length > 0)
                {
                    labels.Add((long)action[0]);
                }
                x.CopyTo(obs, t * Observations);
                action.CopyTo(actions, t * actionWidth);
            }
            list.Add(new DemoEpisode("state-dependent", (ulong)e + 1, steps, obs, actions, [.. labels]));
        }
        return new Demonstrations
        {
            Kind = head,
            Robot = "sim:state-dependent",
            ControlRateHz = 50,
            ObservationNames = [.. Enumerable.Range(0, Observations).Select(j => $"x{j}")],
            ActionNames = discrete.Length > 0 ? ["choice"] : [.. Enumerable.Range(0, Actions).Select(i => $"a{i}")],
            DiscreteActionNames = discrete,
            Episodes = list,
        };
    }

    private static double[,] Matrix(int rows, Random random)
    {
        var m = new double[rows, Observations];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < Observations; j++)
            {
                m[i, j] = 2 * random.NextDouble() - 1;
            }
        }
        return m;
    }

    private static double Dot(double[,] m, int row, float[] x)
    {
        double sum = 0;
        for (int j = 0; j < Observations; j++)
        {
            sum += m[row, j] * x[j];
        }
        return sum;
    }
}
