using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Policy;
using Robotics.Tests.Support;
using Robotics.Trainer.Data;
using Robotics.Trainer.Export;
using Robotics.Trainer.Training;
using Xunit.Abstractions;

namespace Robotics.Tests.Training;

/// <summary>
/// The exported help threshold against ticks that did not set it: the policy file, run as the controller runs
/// it, on fresh episodes from the same expert, should ask for help on about the help rate of them.
/// </summary>
public sealed class HelpThresholdTests(ITestOutputHelper output) : IDisposable
{
    private const double Rate = 0.1;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <remarks>
    /// Setup: 22 episodes of 100 ticks, 20 of them held out (n = 2,000 ticks set the threshold) and 2 to train
    /// on, with a wide network and no weight decay. The policy fits its 200 training ticks far more tightly than
    /// anything else, so a threshold taken on them would sit low: measured, 26 % of fresh ticks lie above such a
    /// categorical threshold. One taken at the rate instead of 1 − rate would ask on 90 % of them.
    ///
    /// Why ±0.03. The threshold is an order statistic of the n held-out uncertainties; a tick's uncertainty is a
    /// function of its state alone, and every state is an independent draw from the same distribution, in the
    /// held-out and the fresh episodes alike. So the chance p that a fresh tick lies above the threshold is
    /// Beta-distributed with mean ≈ rate and standard deviation √(rate·(1 − rate)/n) ≈ 0.0067; the share of
    /// m = 10,000 fresh ticks above it adds binomial noise √(rate·(1 − rate)/m) = 0.003. Together ≈ 0.0073, so
    /// ±0.03 is four standard deviations, which an arbitrary seed misses about once in 20,000 (the seeds here are
    /// fixed: every run gives the same answer), and 26 % or 90 % are twenty and more away.
    /// </remarks>
    [Theory]
    [InlineData(PolicyContract.GaussianKind)]
    [InlineData(PolicyContract.CategoricalKind)]
    [InlineData(PolicyContract.GaussianMixtureKind)]
    public void The_exported_threshold_asks_for_help_on_about_the_help_rate_of_fresh_ticks(string kind)
    {
        Func<int, int, int, Demonstrations> expert = kind switch
        {
            PolicyContract.GaussianKind => StateDependentExperts.Gaussian,
            PolicyContract.CategoricalKind => StateDependentExperts.Categorical,
            _ => (episodes, steps, seed) => StateDependentExperts.Bimodal(episodes, steps, seed),
        };
        var config = new TrainingConfig
        {
            Hidden = [128, 128], Epochs = 200, BatchSize = 64, LearningRate = 1e-2, WeightDecay = 0, Patience = 0,
            HelpRate = Rate, ValidationFraction = 10.0 / 11, Threads = 1, Seed = 1,
        };
        var data = TrainingData.Split(expert(22, 100, 1), config.ValidationFraction, config.Seed, config.StdFloor);
        Assert.Equal((2_000, 200), (data.Validation.Count, data.Train.Count));
        string policy = _directory.File("policy.onnx");
        using (var run = new TrainingRun(data, config))
        {
            PolicyExporter.Write(policy, PolicyExporter.Build(data, config, run.Run(new RunFolder(_directory.File("policy.run")), ITrainingProgress.None)));
        }

        var fresh = expert(100, 100, 2);
        using var session = new InferenceSession(policy);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        double threshold = double.Parse(metadata[PolicyContract.Keys.HelpThreshold], CultureInfo.InvariantCulture);
        var uncertainty = Uncertainty(session, metadata, fresh);
        double share = (double)uncertainty.Count(u => u > threshold) / uncertainty.Length;

        output.WriteLine($"{kind}: threshold {threshold:G4}, {share:P2} of {uncertainty.Length} fresh ticks above it");
        Assert.Equal(10_000, uncertainty.Length);
        Assert.InRange(share, Rate - 0.03, Rate + 0.03);
    }

    /// <summary>
    /// An ensemble's three triggers, each with its own threshold from the same held-out ticks: its σ (the members'
    /// mixture's), its novelty and the observation's largest |z| each ask on about the rate of fresh ticks, for the
    /// reason above (each is a function of the state alone). The observation's |z| does not depend on the policy at
    /// all, so its threshold is a plain quantile of the held-out states'.
    /// </summary>
    [Fact]
    public void Each_of_an_ensembles_thresholds_asks_for_help_on_about_the_help_rate_of_fresh_ticks()
    {
        var config = new TrainingConfig
        {
            Hidden = [128, 128], Epochs = 200, BatchSize = 64, LearningRate = 1e-2, WeightDecay = 0, Patience = 0,
            HelpRate = Rate, ValidationFraction = 10.0 / 11, Threads = 1, Seed = 1, EnsembleMembers = 5,
        };
        var data = TrainingData.Split(StateDependentExperts.Gaussian(22, 100, 1), config.ValidationFraction, config.Seed, config.StdFloor);
        string policy = _directory.File("ensemble.onnx");
        using (var run = new TrainingRun(data, config))
        {
            PolicyExporter.Write(policy, PolicyExporter.Build(data, config, run.Run(new RunFolder(_directory.File("ensemble.run")), ITrainingProgress.None)));
        }

        var fresh = StateDependentExperts.Gaussian(100, 100, 2);
        using var session = new InferenceSession(policy);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        double Threshold(string key) => double.Parse(metadata[key], CultureInfo.InvariantCulture);
        var triggers = new (string Name, string Key, double[] Values)[]
        {
            ("uncertainty", PolicyContract.Keys.HelpThreshold, Uncertainty(session, metadata, fresh)),
            ("novelty", PolicyContract.Keys.HelpNoveltyThreshold, Novelty(session, fresh)),
            ("observation |z|", PolicyContract.Keys.HelpObservationZThreshold, LargestZ(metadata, fresh)),
        };
        foreach (var (name, key, values) in triggers)
        {
            double share = (double)values.Count(v => v > Threshold(key)) / values.Length;
            output.WriteLine($"ensemble {name}: threshold {Threshold(key):G4}, {share:P2} of {values.Length} fresh ticks above it");
            Assert.Equal(10_000, values.Length);
            Assert.InRange(share, Rate - 0.03, Rate + 0.03);
        }
    }

    /// <summary>The ensemble's novelty output on every tick of <paramref name="episodes"/>.</summary>
    private static double[] Novelty(InferenceSession session, Demonstrations episodes)
    {
        float[] observations = [.. episodes.Episodes.SelectMany(e => e.Observations)];
        using var input = OrtValue.CreateTensorValueFromMemory(observations, [episodes.SampleCount, episodes.ObservationSize]);
        using var outputs = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.NoveltyOutput]);
        return [.. outputs[0].GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v)];
    }

    /// <summary>Each tick's largest |z| from the policy file's training statistics, as the controller measures it.</summary>
    private static double[] LargestZ(Dictionary<string, string> metadata, Demonstrations episodes)
    {
        var mean = JsonSerializer.Deserialize<float[]>(metadata[PolicyContract.Keys.ObservationMean])!;
        var std = JsonSerializer.Deserialize<float[]>(metadata[PolicyContract.Keys.ObservationStd])!;
        float[] observations = [.. episodes.Episodes.SelectMany(e => e.Observations)];
        return [.. Enumerable.Range(0, observations.Length / mean.Length).Select(i =>
            Enumerable.Range(0, mean.Length).Max(j => Math.Abs(observations[i * mean.Length + j] - mean[j]) / (double)std[j]))];
    }

    /// <summary>
    /// The policy file's uncertainty on every tick of <paramref name="episodes"/>, computed from its outputs as the
    /// controller does: the largest σ over action dimensions over that dimension's training std (of the likeliest
    /// component, for a mixture), or entropy / log K.
    /// </summary>
    private static double[] Uncertainty(InferenceSession session, Dictionary<string, string> metadata, Demonstrations episodes)
    {
        float[] observations = [.. episodes.Episodes.SelectMany(e => e.Observations)];
        int n = (int)episodes.SampleCount;
        using var input = OrtValue.CreateTensorValueFromMemory(observations, [n, episodes.ObservationSize]);
        var uncertainty = new double[n];
        if (metadata[PolicyContract.Keys.HelpUncertainty] == PolicyContract.MaxNormalizedSigma)
        {
            var actionStd = JsonSerializer.Deserialize<float[]>(metadata[PolicyContract.Keys.ActionStd])!;
            using var outputs = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.LogStdOutput]);
            var logStd = outputs[0].GetTensorDataAsSpan<float>();
            for (int i = 0; i < n; i++)
            {
                for (int d = 0; d < actionStd.Length; d++)
                {
                    uncertainty[i] = Math.Max(uncertainty[i], Math.Exp(logStd[i * actionStd.Length + d]) / actionStd[d]);
                }
            }
            return uncertainty;
        }
        if (metadata[PolicyContract.Keys.HelpUncertainty] == PolicyContract.ModeMaxNormalizedSigma)
        {
            var actionStd = JsonSerializer.Deserialize<float[]>(metadata[PolicyContract.Keys.ActionStd])!;
            int a = actionStd.Length;
            using var outputs = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.MixtureLogitsOutput, PolicyContract.ComponentLogStdsOutput]);
            var weights = outputs[0].GetTensorDataAsSpan<float>();
            var logStd = outputs[1].GetTensorDataAsSpan<float>();
            int components = weights.Length / n;
            for (int i = 0; i < n; i++)
            {
                var row = weights.Slice(i * components, components);
                int mode = row.IndexOf(Largest(row));
                for (int d = 0; d < a; d++)
                {
                    uncertainty[i] = Math.Max(uncertainty[i], Math.Exp(logStd[(i * components + mode) * a + d]) / actionStd[d]);
                }
            }
            return uncertainty;
        }
        Assert.Equal(PolicyContract.NormalizedEntropy, metadata[PolicyContract.Keys.HelpUncertainty]);
        using var results = session.RunOnce([PolicyContract.ObservationInput], [input], [PolicyContract.LogitsOutput]);
        var logits = results[0].GetTensorDataAsSpan<float>();
        int k = logits.Length / n;
        for (int i = 0; i < n; i++)
        {
            var row = logits.Slice(i * k, k);
            float max = row[0];
            foreach (float l in row)
            {
                max = Math.Max(max, l);
            }
            double sum = 0;
            foreach (float l in row)
            {
                sum += Math.Exp(l - max);
            }
            foreach (float l in row)
            {
                double p = Math.Exp(l - max) / sum;
                uncertainty[i] -= p > 0 ? p * Math.Log(p) / Math.Log(k) : 0;
            }
        }
        return uncertainty;
    }

    private static float Largest(ReadOnlySpan<float> values)
    {
        float max = values[0];
        foreach (float v in values)
        {
            max = Math.Max(max, v);
        }
        return max;
    }
}
