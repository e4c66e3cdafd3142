using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Trainer.Cli;
using Robotics.Trainer.Data;
using Robotics.Trainer.Export;
using Robotics.Trainer.Policies;
using Robotics.Trainer.Policies.Heads;
using Robotics.Trainer.Training;

namespace Robotics.Tests.Training;

public sealed class ExportTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private (TrainingData Data, TrainingConfig Config, TrainingResult Result) Train(string name, string kind = PolicyContract.GaussianKind, int members = 1)
    {
        string logs = _directory.File(name + ".mcap");
        var head = PolicyHeads.Named(kind)!;
        if (head.ActsDiscretely)
        {
            SyntheticExperts.WriteDiscrete(logs, observations: 5, choices: 4, episodes: 10, steps: 100, seed: 1);
        }
        else
        {
            SyntheticExperts.WriteLinearGaussian(logs, SyntheticExperts.LinearGaussian.Random(6, 3, seed: 2), episodes: 10, steps: 100, seed: 3);
        }
        var config = new TrainingConfig { Kind = head, Hidden = [32, 16], Epochs = 3, BatchSize = 64, Threads = 1, EnsembleMembers = members };
        var data = TrainingData.Split(DemonstrationLoader.Load([logs], new DemonstrationFilter { Kind = head }), config.ValidationFraction, config.Seed, config.StdFloor);
        using var run = new TrainingRun(data, config);
        return (data, config, run.Run(new RunFolder(_directory.File(name + ".run")), ITrainingProgress.None));
    }

    [Theory]
    [InlineData(PolicyContract.GaussianKind)]
    [InlineData(PolicyContract.CategoricalKind)]
    [InlineData(PolicyContract.GaussianMixtureKind)]
    [InlineData(PolicyContract.GaussianKind, 3)]
    public void The_exported_file_computes_what_the_training_graph_computes(string kind, int members = 1)
    {
        var (data, config, result) = Train(kind, kind, members);
        string path = _directory.File("policy.onnx");
        PolicyExporter.Write(path, PolicyExporter.Build(data, config, result));

        // The training graph's forward (the evaluation graph) on the same weights, normalized in and out...
        using var evaluation = new GraphRunner(PolicyGraph.BuildEvaluation(result.Shape));
        int n = data.Validation.Count;
        var inputs = new Dictionary<string, (Array, long[])> { [PolicyContract.ObservationInput] = (data.Validation.Observations, [n, result.Shape.Observations]) };
        var layout = new ParameterLayout(result.Shape);
        var (weights, biases) = layout.Flatten(result.BestParameters);
        inputs[TrainingNames.Weights] = (weights, [layout.WeightCount]);
        inputs[TrainingNames.Biases] = (biases, [layout.BiasCount]);
        string[] names = [.. PolicyGraph.OutputNames(result.Shape)];
        var expected = evaluation.Run(inputs, names);

        // ...against the exported file in a fresh session, fed raw observations.
        var raw = (float[])data.Validation.Observations.Clone();
        var norm = data.Normalization;
        for (int k = 0; k < raw.Length; k++)
        {
            int j = k % norm.ObservationMean.Length;
            raw[k] = raw[k] * norm.ObservationStd[j] + norm.ObservationMean[j];
        }
        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(raw, [n, result.Shape.Observations]);
        using var outputs = session.RunOnce([PolicyContract.ObservationInput], [input], names);

        double worst = 0;
        for (int o = 0; o < names.Length; o++)
        {
            var actual = outputs[o].GetTensorDataAsSpan<float>();
            for (int k = 0; k < actual.Length; k++)
            {
                // Per action entry, and per component's action entry in a mixture's [N, K·A] outputs.
                int d = k % result.Shape.Actions;
                double want = names[o] switch
                {
                    PolicyContract.MeanOutput or PolicyContract.ComponentMeansOutput => expected[names[o]][k] * norm.ActionStd[d] + norm.ActionMean[d],
                    PolicyContract.LogStdOutput or PolicyContract.ComponentLogStdsOutput => expected[names[o]][k] + Math.Log(norm.ActionStd[d]),
                    _ => expected[names[o]][k],
                };
                worst = Math.Max(worst, Math.Abs(actual[k] - want));
            }
        }
        Assert.True(worst <= 1e-5, $"exported and training forward differ by {worst:E2}");
    }

    [Fact]
    public void The_policy_file_declares_opset_17_IR_8_a_dynamic_batch_and_the_contract_metadata()
    {
        var (data, config, result) = Train("meta");
        string path = _directory.File("policy.onnx");
        PolicyExporter.Write(path, PolicyExporter.Build(data, config, result));

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("N", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([PolicyContract.MeanOutput, PolicyContract.LogStdOutput], model.Graph.Output.Select(o => o.Name));

        using var session = new InferenceSession(path);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("gaussian", metadata[PolicyContract.Keys.Kind]);
        Assert.Equal(["x0", "x1", "x2", "x3", "x4", "x5"], JsonSerializer.Deserialize<string[]>(metadata[PolicyContract.Keys.ObservationNames])!);
        Assert.Equal(3, JsonSerializer.Deserialize<float[]>(metadata[PolicyContract.Keys.ActionStd])!.Length);
        Assert.Equal(data.Fingerprint, metadata[PolicyContract.Keys.DatasetFingerprint]);
        Assert.Equal(result.Help.Uncertainty.Threshold, double.Parse(metadata[PolicyContract.Keys.HelpThreshold], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("50", metadata[PolicyContract.Keys.ControlRateHz]);
        Assert.True(JsonDocument.Parse(metadata[PolicyContract.Keys.ValidationMetrics]).RootElement.GetProperty("nll").GetDouble() < 10);
        foreach (string key in new[] { PolicyContract.Keys.ActionLow, PolicyContract.Keys.ActionHigh, PolicyContract.Keys.ObservationMean, PolicyContract.Keys.ObservationStd,
            PolicyContract.Keys.TrainingConfig, PolicyContract.Keys.TrainerVersion, PolicyContract.Keys.HelpRate, PolicyContract.Keys.ContractVersion, PolicyContract.Keys.ContentDigest })
        {
            Assert.True(metadata.ContainsKey(key), key);
        }
    }

    [Theory]
    [InlineData(PolicyContract.GaussianKind)]
    [InlineData(PolicyContract.GaussianMixtureKind)]
    [InlineData(PolicyContract.GaussianKind, 5)]
    public void The_ONNX_checker_accepts_the_policy_file(string kind, int members = 1)
    {
        var (data, config, result) = Train($"checked-{kind}-{members}", kind, members);
        string path = _directory.File("checked.onnx");
        PolicyExporter.Write(path, PolicyExporter.Build(data, config, result));

        // Debian's python3-onnx (installed by .ci/run): full check with strict shape inference.
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c",
            "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version)", path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "onnx.checker rejected the policy (is python3-onnx installed? .ci/run installs it): " + stderr);
        Assert.Equal("17", stdout.Trim());
    }

    [Fact]
    public void A_mixture_policy_names_its_kind_its_component_count_and_the_measure_of_its_help_threshold()
    {
        var (data, config, result) = Train("mixture-meta", PolicyContract.GaussianMixtureKind);
        string path = _directory.File("mixture.onnx");
        PolicyExporter.Write(path, PolicyExporter.Build(data, config, result));

        using var session = new InferenceSession(path);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(PolicyContract.GaussianMixtureKind, metadata[PolicyContract.Keys.Kind]);
        Assert.Equal("3", metadata[PolicyContract.Keys.MixtureComponents]);
        Assert.Equal(PolicyContract.ModeMaxNormalizedSigma, metadata[PolicyContract.Keys.HelpUncertainty]);
        Assert.Equal([3, 9, 9], session.OutputMetadata.Values.Select(o => o.Dimensions[1]));
        // What the robot reads from the file is what the trainer wrote.
        var parsed = Robotics.Controller.Policy.PolicyMetadata.Parse(metadata, path);
        Assert.Equal(3, parsed.MixtureComponents);
        Assert.IsType<Robotics.Controller.Policy.Heads.GaussianMixtureHead>(parsed.Head);
    }

    /// <summary>
    /// Each member run alone (its slice of the ensemble's parameters as a single network) against the ensemble: the
    /// ensemble's mean and σ are the moments of the members' equal-weight mixture, its novelty their means' variance
    /// averaged over action dimensions, all in normalized units (docs/bc-math.md#the-ensemble).
    /// </summary>
    [Fact]
    public void An_ensembles_outputs_are_its_members_mixture_moments_and_their_disagreement()
    {
        const int members = 3;
        var (data, _, result) = Train("moments", PolicyContract.GaussianKind, members);
        var shape = result.Shape;
        int n = data.Validation.Count;
        int a = shape.Actions;
        var observations = (data.Validation.Observations, new long[] { n, shape.Observations });
        Dictionary<string, double[]> Evaluate(PolicyShape of, IReadOnlyList<float[]> parameters)
        {
            using var graph = new GraphRunner(PolicyGraph.BuildEvaluation(of));
            var layout = new ParameterLayout(of);
            var (weights, biases) = layout.Flatten(parameters);
            return graph.Run(new Dictionary<string, (Array, long[])>
            {
                [PolicyContract.ObservationInput] = observations,
                [TrainingNames.Weights] = (weights, [layout.WeightCount]),
                [TrainingNames.Biases] = (biases, [layout.BiasCount]),
            }, [.. PolicyGraph.OutputNames(of)]);
        }
        var ensemble = Evaluate(shape, result.BestParameters);
        var single = new PolicyShape(shape.Head, shape.Observations, a, shape.Hidden, shape.Activation, shape.LeakySlope, shape.LogStdMin, shape.LogStdMax);
        var each = Enumerable.Range(0, members).Select(k => Evaluate(single,
            [.. result.BestParameters.Select(p => p.AsSpan(k * p.Length / members, p.Length / members).ToArray())])).ToArray();

        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            double disagreement = 0;
            for (int d = 0; d < a; d++)
            {
                int at = i * a + d;
                double mean = each.Average(m => m[PolicyContract.MeanOutput][at]);
                double spread = each.Average(m => Math.Pow(m[PolicyContract.MeanOutput][at] - mean, 2));
                double variance = each.Average(m => Math.Exp(2 * m[PolicyContract.LogStdOutput][at])) + spread;
                disagreement += spread / a;
                worst = Math.Max(worst, Math.Abs(ensemble[PolicyContract.MeanOutput][at] - mean));
                worst = Math.Max(worst, Math.Abs(ensemble[PolicyContract.LogStdOutput][at] - 0.5 * Math.Log(variance)));
            }
            worst = Math.Max(worst, Math.Abs(ensemble[PolicyContract.NoveltyOutput][i] - disagreement));
        }
        Assert.True(worst <= 1e-5, $"the ensemble's outputs and its members' moments differ by {worst:E2}");
        Assert.True(each[0][PolicyContract.MeanOutput].Zip(each[1][PolicyContract.MeanOutput]).Any(p => p.First != p.Second), "the members are not copies of one another");
    }

    [Fact]
    public void An_ensemble_file_names_its_members_and_novelty_threshold_and_a_single_ones_file_neither()
    {
        var (data, config, result) = Train("ensemble-meta", PolicyContract.GaussianKind, members: 4);
        string path = _directory.File("ensemble.onnx");
        PolicyExporter.Write(path, PolicyExporter.Build(data, config, result));

        using var session = new InferenceSession(path);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(PolicyContract.GaussianKind, metadata[PolicyContract.Keys.Kind]);
        Assert.Equal("4", metadata[PolicyContract.Keys.EnsembleMembers]);
        Assert.Equal([PolicyContract.MeanOutput, PolicyContract.LogStdOutput, PolicyContract.NoveltyOutput], session.OutputMetadata.Keys);
        Assert.Equal([3, 3, 1], session.OutputMetadata.Values.Select(o => o.Dimensions[1]));
        // What the robot reads from the file is what the trainer wrote.
        var parsed = Robotics.Controller.Policy.PolicyMetadata.Parse(metadata, path);
        Assert.Equal(4, parsed.EnsembleMembers);
        Assert.Equal(result.Help.Novelty!.Threshold, parsed.HelpNoveltyThreshold);
        Assert.Equal(result.Help.ObservationZ.Threshold, parsed.HelpObservationZThreshold);

        var (singleData, singleConfig, singleResult) = Train("single-meta");
        string singlePath = _directory.File("single.onnx");
        PolicyExporter.Write(singlePath, PolicyExporter.Build(singleData, singleConfig, singleResult));
        using var single = new InferenceSession(singlePath);
        Assert.False(single.ModelMetadata.CustomMetadataMap.ContainsKey(PolicyContract.Keys.EnsembleMembers));
        Assert.False(single.ModelMetadata.CustomMetadataMap.ContainsKey(PolicyContract.Keys.HelpNoveltyThreshold));
        Assert.Equal([PolicyContract.MeanOutput, PolicyContract.LogStdOutput], single.OutputMetadata.Keys);
    }

    [Fact]
    public void Only_a_gaussian_policy_can_be_an_ensemble_and_training_says_so_in_one_line()
    {
        var error = Assert.Throws<ArgumentException>(() => Train("mixture-ensemble", PolicyContract.GaussianMixtureKind, members: 3));

        Assert.Equal("--ensemble 3: a gaussian_mixture policy cannot be an ensemble; only gaussian policies can", error.Message);
    }

    [Fact]
    public void Inspect_prints_the_metadata_as_json()
    {
        var (data, config, result) = Train("inspected", PolicyContract.CategoricalKind);
        string path = _directory.File("inspected.onnx");
        PolicyExporter.Write(path, PolicyExporter.Build(data, config, result));

        var run = CliRun.Of(TrainerCli.Build(), "inspect", path, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("robotics.kind = categorical", run.Stdout);
        var json = run.Json;
        Assert.Equal(17, json.GetProperty("opset").GetInt32());
        Assert.Equal("logits", json.GetProperty("outputs")[0].GetProperty("name").GetString());
        Assert.Equal(["N", "4"], json.GetProperty("outputs")[0].GetProperty("shape").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("normalized_entropy", json.GetProperty("metadata").GetProperty(PolicyContract.Keys.HelpUncertainty).GetString());
    }

    [Fact]
    public void Inspect_refuses_a_file_that_is_not_a_model()
    {
        string path = _directory.File("notes.onnx");
        File.WriteAllText(path, "not a model at all");

        var run = CliRun.Of(TrainerCli.Build(), "inspect", path);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: {path}: not an ONNX model", run.Stderr);
    }
}
