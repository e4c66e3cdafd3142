using Google.Protobuf;
using Robotics.Controller.Loop;
using Robotics.Controller.Policy;
using Robotics.Hardware.Robots;
using Robotics.Hardware.Simulation;
using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Tests.Support;
using Xunit.Abstractions;

namespace Robotics.Tests.Controller;

/// <summary>
/// A seeded mutation fuzzer for policy files: the reach (Gaussian) and cart-pole (categorical) policies, damaged
/// five hundred ways (bit flips and truncations of the file, hostile weights, damaged, deleted and renamed
/// metadata, wrong tensor shapes, swapped operators; half of the structured damage with the content digest stamped
/// again). Each is either refused as one plain line naming the file, or, accepted, drives its simulator for an
/// episode; the simulator must never be sent an action that is not finite or lies outside the robot's limits (or
/// its safe action). The file is never written to, and no case may hang. A failure
/// names the seed, the case and the mutation, which replay it.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class PolicyFuzzTests(SimPolicies policies, ITestOutputHelper output) : IDisposable
{
    // The seed CI runs; FUZZ_SEED explores others (a failure names its seed, which replays it).
    private static readonly int Seed = FuzzCampaign.Seed(14_11);
    private const int Cases = 500;
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);
    private static readonly string[] Operators = ["Relu", "Neg", "Abs", "Exp", "Tanh", "Identity", "Sigmoid"];
    private static readonly string[] HostileScalars = ["NaN", "", "-1", "1e400", "abc", "0", "1e30", "Infinity"];

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Mutated_policies_are_refused_in_one_plain_line_or_drive_their_simulator_within_its_limits()
    {
        var originals = new[] { File.ReadAllBytes(policies.Reach), File.ReadAllBytes(policies.CartPole) };
        static bool IsCartPole(int i) => i % 2 == 1;

        var outcome = await new FuzzCampaign("policy", Seed, CaseLimit).RunAsync(Cases,
            (i, random) =>
            {
                var (bytes, what) = Mutate(originals[i % 2], random);
                return (bytes, $"{(IsCartPole(i) ? "cart-pole" : "reach")} policy, {what}");
            },
            i => _directory.File($"case-{i}.onnx"),
            (i, path) => Case(path, IsCartPole(i), seed: i));

        output.WriteLine($"seed {Seed}: {Cases} policies: {outcome}");
        Assert.True(outcome.Failures.Count == 0, string.Join("\n", outcome.Failures));
        // The fuzzer must reach both sides: policies refused, and policies that drive their simulator.
        Assert.True(outcome.Refused > Cases / 4 && outcome.Driven > Cases / 10, outcome.ToString());
    }

    /// <summary>One policy: loaded, and when accepted run for an episode on its simulator; what was wrong, if anything.</summary>
    private static FuzzVerdict Case(string path, bool cartPole, int seed)
    {
        PolicyRunner policy;
        try
        {
            policy = new PolicyRunner(path);
        }
        catch (Exception e)
        {
            return FuzzVerdict.Refused(PlainError.Problem(e, path));
        }
        using (policy)
        {
            using var robot = cartPole ? Watch(new CartPoleSimulation(seed: seed)) : Watch(new ReachSimulation(seed: seed));
            try
            {
                using var loop = new ControlLoop(robot, new LoopOptions { RateHz = robot.Description.RateHz, MaxEpisodes = 1, Paced = false, Realtime = false }, policy);
                loop.Start();
                loop.WaitForExit();
            }
            catch (Exception e)
            {
                return FuzzVerdict.Refused(PlainError.Problem(e, path));
            }
            return new FuzzVerdict(OutOfLimits(robot), Driven: true);
        }
    }

    private static WatchedRobot<SimulatedRobot> Watch(SimulatedRobot robot) => new(robot);

    /// <summary>Whether the simulator was sent an action that is not finite, or outside [min, max] and not the safe one.</summary>
    private static string? OutOfLimits(WatchedRobot<SimulatedRobot> robot)
    {
        var (lowest, highest, nonFinite) = robot.Written;
        if (nonFinite > 0)
        {
            return $"{nonFinite} action values sent to the robot were not finite";
        }
        for (int i = 0; i < lowest.Length; i++)
        {
            ActionSpec spec = robot.Description.Actions[i];
            bool Allowed(float value) => (value >= spec.Min && value <= spec.Max) || value == spec.Safe;
            if (lowest[i] <= highest[i] && (!Allowed(lowest[i]) || !Allowed(highest[i])))
            {
                return $"{spec.Name} was sent values from {lowest[i]} to {highest[i]}, outside [{spec.Min}, {spec.Max}] (safe {spec.Safe})";
            }
        }
        return null;
    }

    /// <summary>One damage to a policy file, and what it was.</summary>
    private static (byte[] Bytes, string What) Mutate(byte[] original, Random random)
    {
        int kind = random.Next(6);
        if (kind == 0)
        {
            return Mutations.Bytes(original, random);
        }
        var model = ModelProto.Parser.ParseFrom(original);
        string what;
        switch (kind)
        {
            case 1:
                var weights = model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.RawData.Length >= 4).ToList();
                var tensor = weights[random.Next(weights.Count)];
                var values = tensor.RawData.ToByteArray();
                if (random.Next(3) == 0)
                {
                    var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.AsSpan());
                    for (int j = 0; j < floats.Length; j++)
                    {
                        floats[j] *= 1e20f;
                    }
                    what = $"{tensor.Name} scaled by 1e20";
                }
                else
                {
                    int at = random.Next(values.Length / 4);
                    float hostile = Mutations.HostileFloat(random);
                    BitConverter.TryWriteBytes(values.AsSpan(at * 4), hostile);
                    what = $"{tensor.Name}[{at}] = {hostile}";
                }
                tensor.RawData = ByteString.CopyFrom(values);
                break;
            case 2:
                var entry = model.MetadataProps[random.Next(model.MetadataProps.Count)];
                if (entry.Value.StartsWith('[') || entry.Value.StartsWith('{'))
                {
                    var (json, change) = Mutations.Json(entry.Value, random);
                    entry.Value = json;
                    what = $"metadata {entry.Key}: {change}";
                }
                else
                {
                    entry.Value = HostileScalars[random.Next(HostileScalars.Length)];
                    what = $"metadata {entry.Key} = '{entry.Value}'";
                }
                break;
            case 3:
                var key = model.MetadataProps[random.Next(model.MetadataProps.Count)];
                if (random.Next(2) == 0)
                {
                    model.MetadataProps.Remove(key);
                    what = $"metadata {key.Key} deleted";
                }
                else
                {
                    key.Key += "_x";
                    what = $"metadata {key.Key} renamed";
                }
                break;
            case 4:
                var tensors = model.Graph.Input.Concat(model.Graph.Output).ToList();
                var info = tensors[random.Next(tensors.Count)];
                long width = new long[] { 0, 1, 3, 100_000, -1 }[random.Next(5)];
                info.Type.TensorType.Shape.Dim[^1].DimValue = width;
                what = $"{info.Name} declared [N, {width}]";
                break;
            default:
                var node = model.Graph.Node[random.Next(model.Graph.Node.Count)];
                string replaced = node.OpType;
                node.OpType = Operators[random.Next(Operators.Length)];
                node.Attribute.Clear();
                what = $"node {node.Name} ({replaced}) made {node.OpType}";
                break;
        }
        // Half the structured damage keeps a stale digest (the load refuses it for that) and half is stamped again, as
        // a tool writing a hostile file would, so the checks behind the digest and the loop's limits meet it too.
        if (random.Next(2) == 0)
        {
            PolicyDigest.Stamp(model);
            what += ", digest stamped again";
        }
        return (model.ToByteArray(), what);
    }
}
