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

    /// <summary>
    /// The reach policy with one metadata entry's value replaced and the content digest stamped again, as a tool that
    /// writes hostile metadata would: what is tested here is the check of the values, not of the digest.
    /// </summary>
    private string Edited(string key, string value)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(policies.Reach));
        model.MetadataProps.Single(p => p.Key == key).Value = value;
        PolicyDigest.Stamp(model);
        string path = _directory.File("edited.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
