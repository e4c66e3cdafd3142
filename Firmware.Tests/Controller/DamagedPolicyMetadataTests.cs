using Google.Protobuf;
using Robotics.Controller.Policy;
using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Tests.Support;

namespace Robotics.Tests.Controller;

/// <summary>
/// A policy file whose metadata was damaged or hand-edited is refused when it is loaded, naming the key and what is
/// wrong, rather than failing on the loop's first tick (an index out of range in the help monitor) or quietly (a
/// NaN rate passes any rate check, a NaN threshold never asks for help).
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class DamagedPolicyMetadataTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string, string, string> Damage => new()
    {
        { PolicyContract.Keys.ObservationMean, "[0.5]", "has 1 entries for 8 observations" },
        { PolicyContract.Keys.ObservationStd, "[1, 1, 1]", "has 3 entries for 8 observations" },
        { PolicyContract.Keys.ObservationStd, "[1, 0, 1, 1, 1, 1, 1, 1]", "[1] is 0: it must be a positive finite number" },
        { PolicyContract.Keys.ActionStd, "[1]", "has 1 entries for 2 actions" },
        { PolicyContract.Keys.ActionLow, "[-1]", "has 1 entries for 2 actions" },
        { PolicyContract.Keys.ActionHigh, "[1, 1e39]", "[1] is Infinity: it must be a finite number" },
        { PolicyContract.Keys.ControlRateHz, "NaN", "is NaN: it must be a positive finite rate in Hz" },
        { PolicyContract.Keys.ControlRateHz, "-100", "is -100: it must be a positive finite rate in Hz" },
        { PolicyContract.Keys.HelpThreshold, "NaN", "is NaN: it must be a positive finite uncertainty" },
        { PolicyContract.Keys.HelpThreshold, "0", "is 0: it must be a positive finite uncertainty" },
        { PolicyContract.Keys.HelpObservationZThreshold, "-1", "is -1: it must be a positive finite |z|" },
        { PolicyContract.Keys.HelpObservationZThreshold, "six", "is 'six', not a number" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void Damaged_metadata_is_refused_at_load_naming_the_key(string key, string value, string what)
    {
        string path = Edited(key, value);

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.Equal($"{path}: metadata {key} {what}", error.Message);
    }

    [Fact]
    public void A_policy_trained_on_another_robot_with_the_same_channel_names_does_not_drive_this_one()
    {
        string path = Edited(PolicyContract.Keys.Robot, "another-arm");
        using var policy = new PolicyRunner(path);
        using var robot = new Robotics.Hardware.Simulation.ReachSimulation(seed: 1);

        var error = Assert.Throws<InvalidDataException>(() => new Robotics.Controller.Loop.ControlLoop(robot,
            new Robotics.Controller.Loop.LoopOptions { RateHz = robot.Description.RateHz, MaxEpisodes = 1, Paced = false, Realtime = false }, policy));

        Assert.Equal($"{path} does not fit sim:reach: it was trained on robot 'another-arm' (the robot's \"name\" in its config)", error.Message);
    }

    [Theory]
    [InlineData("1", "is '1': it must be a whole number of components from 2 to 1024")]
    [InlineData("three", "is 'three': it must be a whole number of components from 2 to 1024")]
    [InlineData(null, null)]
    public void A_mixture_policy_must_say_how_many_components_it_has(string? value, string? what)
    {
        string path = Edited(PolicyContract.Keys.MixtureComponents, value, policies.Detour);

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.Equal(what is null
            ? $"{path}: not a policy this trainer wrote: its metadata has no {PolicyContract.Keys.MixtureComponents}"
            : $"{path}: metadata {PolicyContract.Keys.MixtureComponents} {what}", error.Message);
    }

    [Fact]
    public void A_policy_of_a_head_this_controller_does_not_know_is_refused_naming_the_kinds_it_runs()
    {
        string path = Edited(PolicyContract.Keys.Kind, "diffusion");

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.Equal($"{path}: unknown policy kind 'diffusion' (this controller runs gaussian, categorical, gaussian_mixture)", error.Message);
    }

    [Theory]
    [InlineData(PolicyContract.Keys.EnsembleMembers, "1", "is '1': it must be a whole number of networks from 2 to 16")]
    [InlineData(PolicyContract.Keys.EnsembleMembers, "17", "is '17': it must be a whole number of networks from 2 to 16")]
    [InlineData(PolicyContract.Keys.EnsembleMembers, "five", "is 'five': it must be a whole number of networks from 2 to 16")]
    [InlineData(PolicyContract.Keys.HelpNoveltyThreshold, "NaN", "is NaN: it must be a positive finite novelty")]
    [InlineData(PolicyContract.Keys.HelpNoveltyThreshold, "0", "is 0: it must be a positive finite novelty")]
    [InlineData(PolicyContract.Keys.HelpNoveltyThreshold, null, null)]
    public void A_damaged_ensemble_file_is_refused_naming_the_key(string key, string? value, string? what)
    {
        string path = Edited(key, value, policies.ReachEnsemble);

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.Equal(what is null ? $"{path}: not a policy this trainer wrote: its metadata has no {key}" : $"{path}: metadata {key} {what}", error.Message);
    }

    [Fact]
    public void An_ensemble_file_without_its_novelty_output_is_refused()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(policies.ReachEnsemble));
        model.Graph.Output.Remove(model.Graph.Output.Single(o => o.Name == PolicyContract.NoveltyOutput));
        PolicyDigest.Stamp(model);
        string path = _directory.File("no-novelty.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.Equal($"{path}: the model has no 'novelty' tensor (mean, log_std instead)", error.Message);
    }

    [Fact]
    public void A_file_from_before_the_observation_z_threshold_asks_at_the_fixed_six()
    {
        string path = Edited(PolicyContract.Keys.HelpObservationZThreshold, null);
        using var policy = new PolicyRunner(path);

        Assert.Null(policy.Metadata.HelpObservationZThreshold);
        Assert.Equal(1, policy.Metadata.EnsembleMembers);
        Assert.Null(policy.Metadata.HelpNoveltyThreshold);
        Assert.Equal(6, new Robotics.Controller.Loop.HelpOptions().ObservationZThresholdFor(policy.Metadata));
        Assert.Equal(4, new Robotics.Controller.Loop.HelpOptions { ObservationZThreshold = 4 }.ObservationZThresholdFor(policy.Metadata));
    }

    /// <summary>Damaged and hostile policy files: each refused at load as one line naming the file and what is wrong, in plain words.</summary>
    [Theory]
    [InlineData("truncated", "not an ONNX model, or a damaged one: it does not parse (a truncated or corrupted file?)")]
    [InlineData("not ONNX at all", "not an ONNX model, or a damaged one: it does not parse (a truncated or corrupted file?)")]
    [InlineData("empty", "not a policy ONNX Runtime can load: No graph was found in the protobuf")]
    [InlineData("weights shorter than their shape", "not a policy ONNX Runtime can load: Initializer 'W1': raw_data size (100 bytes) does not match expected size from shape and data type")]
    [InlineData("an operator that does not exist", "not a policy ONNX Runtime can load: This is an invalid model. In Node, (")]
    [InlineData("an opset from the future", "not a policy ONNX Runtime can load: ONNX Runtime only *guarantees* support for models stamped with official released onnx opset versions")]
    [InlineData("an IR version from the future", "not a policy ONNX Runtime can load: Unsupported model IR version: 99")]
    [InlineData("a name with bytes that do not print", "not a policy ONNX Runtime can load: Invalid model. Node input '?")]
    [InlineData("outputs reshaped when run", "ONNX Runtime could not run the policy: Got invalid dimensions for output: mean for the following indices index: 0 Got: 1 Expected: 2")]
    [InlineData("names of the wrong type", "metadata robotics.observation_names must be a JSON list of names: '\"x\"' is not one")]
    [InlineData("a number that is text", "metadata robotics.obs_mean must be a JSON list of numbers: '[1, \"a\"]' is not one (at [1])")]
    [InlineData("an empty name", "metadata robotics.action_names [1] is empty: every entry must be a name")]
    public void A_damaged_policy_file_is_one_plain_line_naming_it(string damage, string what)
    {
        string path = _directory.File("damaged.onnx");
        byte[] original = File.ReadAllBytes(policies.Reach);
        var model = ModelProto.Parser.ParseFrom(original);
        void Meta(string key, string value) => model.MetadataProps.Single(p => p.Key == key).Value = value;
        byte[] bytes = damage switch
        {
            "truncated" => original[..(original.Length / 2)],
            "not ONNX at all" => "{ \"this\": \"is JSON\" }"u8.ToArray(),
            "empty" => [],
            _ => Damaged(),
        };
        byte[] Damaged()
        {
            switch (damage)
            {
                case "weights shorter than their shape":
                    var w1 = model.Graph.Initializer.Single(t => t.Name == "W1");
                    w1.RawData = ByteString.CopyFrom(w1.RawData.Span[..100]);
                    break;
                case "an operator that does not exist":
                    model.Graph.Node[2].OpType = "Gemmx";
                    break;
                case "an opset from the future":
                    model.OpsetImport[0].Version = 99;
                    break;
                case "an IR version from the future":
                    model.IrVersion = 99;
                    break;
                case "a name with bytes that do not print":
                    model.Graph.Node[3].Input[0] = "\u0001\u001b[31m" + model.Graph.Node[3].Input[0];
                    break;
                case "outputs reshaped when run":
                    // mean = Reshape(mean, [2, -1]): [1, 2] becomes [2, 1], which only running it shows.
                    var add = model.Graph.Node.Single(n => n.Output.Contains("mean"));
                    add.Output[0] = "mean_flat";
                    var shape = new TensorProto { Name = "reshape_to", DataType = (int)TensorProto.Types.DataType.Int64 };
                    shape.Dims.Add(2);
                    shape.Int64Data.Add([2, -1]);
                    model.Graph.Initializer.Add(shape);
                    var reshape = new NodeProto { OpType = "Reshape", Name = "reshape" };
                    reshape.Input.Add(["mean_flat", "reshape_to"]);
                    reshape.Output.Add("mean");
                    model.Graph.Node.Add(reshape);
                    break;
                case "names of the wrong type":
                    Meta(PolicyContract.Keys.ObservationNames, "\"x\"");
                    break;
                case "a number that is text":
                    Meta(PolicyContract.Keys.ObservationMean, "[1, \"a\"]");
                    break;
                case "an empty name":
                    Meta(PolicyContract.Keys.ActionNames, "[\"shoulder_torque\", \"\"]");
                    break;
            }
            // Stamped again, as a tool writing a hostile file would: the checks after the digest's are tested here.
            PolicyDigest.Stamp(model);
            return model.ToByteArray();
        }
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.StartsWith($"{path}: {what}", error.Message);
        PlainError.Check(error.Message, path, damage);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    /// <summary>
    /// The reach policy (or <paramref name="source"/>) with one metadata entry's value replaced, or removed for null, and
    /// the content digest stamped again, as a tool that writes hostile metadata would: what is tested here is the check
    /// of the values, not of the digest.
    /// </summary>
    private string Edited(string key, string? value, string? source = null)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source ?? policies.Reach));
        var entry = model.MetadataProps.Single(p => p.Key == key);
        if (value is null)
        {
            model.MetadataProps.Remove(entry);
        }
        else
        {
            entry.Value = value;
        }
        PolicyDigest.Stamp(model);
        string path = _directory.File("edited.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
