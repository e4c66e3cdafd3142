using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Policy;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Data;
using Robotics.Trainer.Export;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;
using Xunit.Abstractions;

namespace Robotics.Tests.Training;

/// <summary>Training recovers experts whose policy is known exactly.</summary>
public sealed class LearningTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_Gaussian_head_recovers_a_linear_Gaussian_experts_W_b_and_sigma()
    {
        var expert = SyntheticExperts.LinearGaussian.Random(observations: 4, actions: 2, seed: 3);
        string logs = _directory.File("linear.mcap");
        SyntheticExperts.WriteLinearGaussian(logs, expert, episodes: 40, steps: 250, seed: 4);
        string policy = _directory.File("linear.onnx");

        // The expert's smallest σ is a tenth of its action's spread, below the default floor (e⁻², 14 %), which
        // is for a few demonstrations; 8,000 samples pin σ without it.
        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", logs, "--out", policy, "--hidden", "64,64",
            "--epochs", "40", "--batch", "128", "--lr", "1e-3", "--patience", "8", "--log-std-min", "-5", "--seed", "1", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        output.WriteLine(run.Stdout);

        // Probe the exported policy on fresh states and fit μ(x) ≈ Ŵx + b̂ by least squares: the learned
        // mean should be the expert's linear map, and σ its noise.
        using var session = new InferenceSession(policy);
        var random = new Random(99);
        const int probes = 2000;
        int d = expert.Observations;
        var design = new double[probes, d + 1];
        var means = new double[probes, expert.Actions];
        var sigmas = new double[expert.Actions];
        double squaredError = 0;
        for (int n = 0; n < probes; n++)
        {
            var x = Enumerable.Range(0, d).Select(_ => (float)SyntheticExperts.Normal(random)).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(x, [1, d]);
            using var results = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.MeanOutput, PolicyContract.LogStdOutput]);
            var mean = results[0].GetTensorDataAsSpan<float>();
            var logStd = results[1].GetTensorDataAsSpan<float>();
            for (int j = 0; j < d; j++)
            {
                design[n, j] = x[j];
            }
            design[n, d] = 1;
            for (int i = 0; i < expert.Actions; i++)
            {
                means[n, i] = mean[i];
                squaredError += Math.Pow(mean[i] - expert.Mean(i, x), 2) / (probes * expert.Actions);
                sigmas[i] += Math.Exp(logStd[i]) / probes;
            }
        }
        var fit = LeastSquares(design, means);
        double worstW = 0;
        double worstB = 0;
        for (int i = 0; i < expert.Actions; i++)
        {
            for (int j = 0; j < d; j++)
            {
                worstW = Math.Max(worstW, Math.Abs(fit[j, i] - expert.W[i, j]));
            }
            worstB = Math.Max(worstB, Math.Abs(fit[d, i] - expert.B[i]));
        }
        output.WriteLine($"|Ŵ − W|max {worstW:F4}, |b̂ − b|max {worstB:F4}, RMS(μ − Wx − b) {Math.Sqrt(squaredError):F4}, " +
            $"σ {string.Join(", ", sigmas.Select(s => s.ToString("F4")))} vs {string.Join(", ", expert.Sigma)}");
        // Tolerances: 8,000 samples with noise σ ≤ 0.3 pin the linear map to a few hundredths; σ within 10%.
        Assert.True(worstW < 0.05, $"Ŵ is {worstW:F3} from W");
        Assert.True(worstB < 0.05, $"b̂ is {worstB:F3} from b");
        Assert.True(Math.Sqrt(squaredError) < 0.06, $"the learned mean strays {Math.Sqrt(squaredError):F3} (RMS) from Wx + b");
        for (int i = 0; i < expert.Actions; i++)
        {
            Assert.InRange(sigmas[i], expert.Sigma[i] * 0.9, expert.Sigma[i] * 1.1);
        }
    }

    /// <summary>Solves min ‖X·β − Y‖ column by column through the normal equations (small, well-conditioned X).</summary>
    private static double[,] LeastSquares(double[,] x, double[,] y)
    {
        int n = x.GetLength(0);
        int p = x.GetLength(1);
        int m = y.GetLength(1);
        var a = new double[p, p + m];
        for (int i = 0; i < p; i++)
        {
            for (int k = 0; k < n; k++)
            {
                for (int j = 0; j < p; j++)
                {
                    a[i, j] += x[k, i] * x[k, j];
                }
                for (int j = 0; j < m; j++)
                {
                    a[i, p + j] += x[k, i] * y[k, j];
                }
            }
        }
        for (int col = 0; col < p; col++)
        {
            for (int row = 0; row < p; row++)
            {
                if (row == col)
                {
                    continue;
                }
                double factor = a[row, col] / a[col, col];
                for (int j = col; j < p + m; j++)
                {
                    a[row, j] -= factor * a[col, j];
                }
            }
        }
        var beta = new double[p, m];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < m; j++)
            {
                beta[i, j] = a[i, p + j] / a[i, i];
            }
        }
        return beta;
    }

    [Fact]
    public void The_categorical_head_recovers_a_discrete_expert()
    {
        string logs = _directory.File("discrete.mcap");
        var v = SyntheticExperts.WriteDiscrete(logs, observations: 5, choices: 3, episodes: 30, steps: 200, seed: 5);
        string policy = _directory.File("discrete.onnx");

        var run = CliRun.Of(TrainerCli.Build(), "train", "--data", logs, "--out", policy, "--hidden", "64,64",
            "--epochs", "30", "--batch", "128", "--lr", "3e-3", "--seed", "2", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("categorical", run.Json.GetProperty("kind").GetString());

        using var session = new InferenceSession(policy);
        var random = new Random(7);
        int agree = 0;
        const int probes = 1000;
        for (int n = 0; n < probes; n++)
        {
            var x = Enumerable.Range(0, 5).Select(_ => (float)SyntheticExperts.Normal(random)).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(x, [1, 5]);
            using var results = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.LogitsOutput]);
            var logits = results[0].GetTensorDataAsSpan<float>().ToArray();
            agree += Array.IndexOf(logits, logits.Max()) == SyntheticExperts.Best(v, x) ? 1 : 0;
        }
        output.WriteLine($"argmax agrees with the expert on {agree} of {probes} new states");
        Assert.True(agree > 0.95 * probes, $"only {agree} of {probes}");
    }

    /// <remarks>
    /// The expert acts +W·x or −W·x at random each tick, with noise σ(x) between 0.05 and 0.55
    /// (<see cref="StateDependentExperts.Bimodal"/>). Probed where the two ways lie clearly apart (|W·x| above 1 in
    /// both entries, two and more noise widths), the mixture's two heaviest components should sit one on each way
    /// with about half the weight each, and one Gaussian's mean on neither: at their average, 0. "Within 0.3" is
    /// about one noise width at the noisy end, and the test asks it of 90 % of the probes, not all: an MLP fitted to
    /// 3,000 ticks is looser at the edges of the state distribution, where few ticks were drawn.
    /// </remarks>
    [Fact]
    public void The_mixture_head_gives_each_of_two_ways_a_component_where_one_Gaussian_averages_them()
    {

        var config = new TrainingConfig { Hidden = [64, 64], Epochs = 60, BatchSize = 64, LearningRate = 3e-3, Patience = 0, SelectBy = SelectionMetric.Nll, Threads = 1, Seed = 3 };
        string mixture = Export(StateDependentExperts.Bimodal(40, 100, seed: 1), config, "bimodal-mixture");
        string gaussian = Export(StateDependentExperts.Bimodal(40, 100, seed: 1, new GaussianHead()), config, "bimodal-gaussian");

        using var mixtureSession = new InferenceSession(mixture);
        using var gaussianSession = new InferenceSession(gaussian);
        var random = new Random(9);
        int probes = 0;
        int split = 0;
        int averaged = 0;
        while (probes < 500)
        {
            var x = Enumerable.Range(0, 3).Select(_ => (float)SyntheticExperts.Normal(random)).ToArray();
            double[] way = [StateDependentExperts.ExpertMean(0, x), StateDependentExperts.ExpertMean(1, x)];
            if (way.Any(w => Math.Abs(w) < 1))
            {
                continue;
            }
            probes++;
            using var input = OrtValue.CreateTensorValueFromMemory(x, [1, 3]);
            using var components = mixtureSession.RunOnce([PolicyContract.ObservationInput], [input],
                [PolicyContract.MixtureLogitsOutput, PolicyContract.ComponentMeansOutput]);
            var logits = components[0].GetTensorDataAsSpan<float>().ToArray();
            var means = components[1].GetTensorDataAsSpan<float>().ToArray();
            double total = logits.Sum(l => Math.Exp(l));
            var heaviest = Enumerable.Range(0, logits.Length).OrderByDescending(k => logits[k]).Take(2).ToArray();
            bool Near(int component, double sign) => Math.Abs(means[component * 2] - sign * way[0]) < 0.3 && Math.Abs(means[component * 2 + 1] - sign * way[1]) < 0.3;
            bool oneEachWay = (Near(heaviest[0], 1) && Near(heaviest[1], -1)) || (Near(heaviest[0], -1) && Near(heaviest[1], 1));
            bool halves = heaviest.All(k => Math.Exp(logits[k]) / total is > 0.3 and < 0.7);
            split += oneEachWay && halves ? 1 : 0;

            using var single = gaussianSession.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.MeanOutput]);
            var mean = single[0].GetTensorDataAsSpan<float>();
            averaged += Math.Abs(mean[0]) < 0.3 && Math.Abs(mean[1]) < 0.3 ? 1 : 0;
        }
        output.WriteLine($"mixture: a component on each way with about half the weight on {split} of {probes} probes; Gaussian mean at the average on {averaged}");
        Assert.True(split >= 0.9 * probes, $"the mixture split the two ways on only {split} of {probes} probes");
        Assert.True(averaged >= 0.9 * probes, $"the Gaussian's mean sat at the average on only {averaged} of {probes} probes");
    }

    private string Export(Demonstrations demonstrations, TrainingConfig config, string name)
    {
        var data = TrainingData.Split(demonstrations, config.ValidationFraction, config.Seed, config.StdFloor);
        string policy = _directory.File(name + ".onnx");
        using var run = new TrainingRun(data, config);
        PolicyExporter.Write(policy, PolicyExporter.Build(data, config, run.Run(new RunFolder(_directory.File(name + ".run")), ITrainingProgress.None)));
        return policy;
    }
}
