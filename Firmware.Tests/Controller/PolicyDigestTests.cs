using Google.Protobuf;
using Robotics.Controller.Policy;
using Robotics.Protos.Onnx;
using Robotics.Protos.Policy;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using Robotics.Controller.Cli;
using Robotics.Trainer.Cli;

namespace Robotics.Tests.Controller;

/// <summary>
/// A policy file damaged after export (a bit flipped on an SD card, a cut copy, a hand edit) is refused at load,
/// naming the file: ONNX Runtime would run a flipped weight without a word and drive the robot with other actions.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class PolicyDigestTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void An_exported_policy_carries_a_digest_that_its_content_matches()
    {
        using var policy = new PolicyRunner(policies.Reach);

        Assert.Equal(PolicyIntegrity.Verified, policy.Integrity);
    }

    [Fact]
    public void The_digest_is_the_SHA_256_of_the_model_without_it_as_any_other_tool_computes_it()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(policies.Reach));
        string stamped = model.MetadataProps.Single(p => p.Key == PolicyContract.Keys.ContentDigest).Value;

        // .NET's own SHA-256 (OpenSSL's), not the managed one the controller takes digests with: files stamped before
        // the change, and by anyone's tools, must keep matching.
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(WithoutDigest(File.ReadAllBytes(policies.Reach))));

        Assert.Equal(expected, stamped);
    }

    [Fact]
    public void A_bit_flipped_in_a_weight_is_refused_at_load_though_ONNX_Runtime_would_run_it()
    {
        byte[] bytes = File.ReadAllBytes(policies.Reach);
        FlipWeightBit(bytes);
        string flipped = Write("flipped.onnx", bytes);
        string unstamped = Write("flipped-unstamped.onnx", WithoutDigest(bytes));

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(flipped));

        Assert.Equal($"{flipped}: the file changed after export: its content does not match the digest the trainer stamped into it " +
            $"({PolicyContract.Keys.ContentDigest}), so its weights cannot be trusted; copy it again or re-export it", error.Message);
        // Without the digest the same damage loads and runs: this is what the digest is for.
        using var silent = new PolicyRunner(unstamped);
        Assert.Equal(PolicyIntegrity.NotStamped, silent.Integrity);
    }

    [Fact]
    public void Run_warns_that_a_policy_without_a_digest_cannot_be_checked_and_runs_it()
    {
        string path = Write("unstamped.onnx", WithoutDigest(File.ReadAllBytes(policies.Reach)));

        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", "sim:reach", "--policy", path, "--episodes", "1", "--unpaced", "--no-realtime");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"warning: {path} carries no content digest", run.Stderr);
    }

    [Fact]
    public void Metadata_edited_after_export_is_refused_at_load()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(policies.Reach));
        model.MetadataProps.Single(p => p.Key == PolicyContract.Keys.HelpThreshold).Value = "100";
        string path = Write("edited.onnx", model.ToByteArray());

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.StartsWith($"{path}: the file changed after export", error.Message);
    }

    [Fact]
    public void A_cut_policy_file_is_refused_naming_the_file()
    {
        byte[] bytes = File.ReadAllBytes(policies.Reach);
        string path = Write("cut.onnx", bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => new PolicyRunner(path));

        Assert.Equal($"{path}: not an ONNX model, or a damaged one: it does not parse (a truncated or corrupted file?)", error.Message);
    }

    [Fact]
    public void Inspect_reports_a_damaged_policy_rather_than_refusing_to_show_it()
    {
        byte[] bytes = File.ReadAllBytes(policies.Reach);
        FlipWeightBit(bytes);
        string path = Write("inspected.onnx", bytes);

        var damaged = CliRun.Of(TrainerCli.Build(), "inspect", path, "--json");
        var intact = CliRun.Of(TrainerCli.Build(), "inspect", policies.Reach, "--json");

        Assert.Equal(0, damaged.ExitCode);
        Assert.Contains("content  DAMAGED: differs from the digest stamped at export", damaged.Stdout);
        Assert.Equal("mismatch", damaged.Json.GetProperty("integrity").GetString());
        Assert.Equal("verified", intact.Json.GetProperty("integrity").GetString());
    }

    /// <summary>Flips a low mantissa bit of a float in the middle of the first hidden layer's weights.</summary>
    private static void FlipWeightBit(byte[] file)
    {
        var model = ModelProto.Parser.ParseFrom(file);
        byte[] weights = model.Graph.Initializer.OrderByDescending(t => t.RawData.Length).First().RawData.ToByteArray();
        int at = file.AsSpan().IndexOf(weights);
        Assert.True(at >= 0, "the weights' bytes are stored verbatim in the file");
        file[at + weights.Length / 2 / 4 * 4] ^= 0x10;
    }

    private static byte[] WithoutDigest(byte[] file)
    {
        var model = ModelProto.Parser.ParseFrom(file);
        model.MetadataProps.Remove(model.MetadataProps.Single(p => p.Key == PolicyContract.Keys.ContentDigest));
        return model.ToByteArray();
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _directory.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
