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

    private (TrainingData Data, TrainingConfig Config, TrainingResult Result) Train(string name, string kind = PolicyContract.GaussianKind)
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
        var config = new TrainingConfig { Kind = head, Hidden = [32, 16], Epochs = 3, BatchSize = 64, Threads = 1 };
        var data = TrainingData.Split(DemonstrationLoader.Load([logs], new DemonstrationFilter { Kind = head }), config.ValidationFraction, config.Seed, config.StdFloor);
        using var run = new TrainingRun(data, config);
        return (data, config, run.Run(new RunFolder(_directory.File(name + ".run")), ITrainingProgress.None));
    }

    [Theory]
    [InlineData(PolicyContract.GaussianKind)]
    [InlineData(PolicyContract.CategoricalKind)]
    [InlineData(PolicyContract.GaussianMixtureKind)]
    public void The_exported_file_computes_what_the_training_graph_computes(string kind)
    {
        var (data, config, result) = Train(kind, kind);
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
        string[] names = [.. result.Shape.Head.Outputs(result.Shape).Select(o => o.Name)];
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
        using var outputs = session.Run(new RunOptions(), [PolicyContract.ObservationInput], [input], names);

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
    public void The_ONNX_checker_accepts_the_policy_file(string kind)
    {
        var (data, config, result) = Train("checked-" + kind, kind);
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
