using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Policy;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
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
            using var results = session.Run(new RunOptions(), [PolicyContract.ObservationInput], [input], [PolicyContract.MeanOutput, PolicyContract.LogStdOutput]);
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
            using var results = session.Run(new RunOptions(), [PolicyContract.ObservationInput], [input], [PolicyContract.LogitsOutput]);
            var logits = results[0].GetTensorDataAsSpan<float>().ToArray();
            agree += Array.IndexOf(logits, logits.Max()) == SyntheticExperts.Best(v, x) ? 1 : 0;
        }
        output.WriteLine($"argmax agrees with the expert on {agree} of {probes} new states");
        Assert.True(agree > 0.95 * probes, $"only {agree} of {probes}");
    }
}
