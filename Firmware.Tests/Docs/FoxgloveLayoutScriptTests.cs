using System.Text.Json;
using System.Text.Json.Nodes;
using Robotics.Hardware.Simulation;
using Robotics.Protos.Log;
using Robotics.Protos.TeleopLog;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;
using static Robotics.Tests.Support.FoxgloveLayoutFile;

namespace Robotics.Tests.Docs;

/// <summary>
/// The User Script in docs/foxglove/sim-reach.json, which gives the plots what message paths cannot (σ = exp(log σ),
/// μ ± σ, the bits of Step.flags), type-checks against the recording's own types as the Foxglove app's compiler
/// would, and on every tick of real recordings (a policy asking for help, and teleop without a policy) computes what
/// this test computes from the same files with the repository's reader.
/// </summary>
[Collection(nameof(SimPolicies))]
public sealed class FoxgloveLayoutScriptTests(SimPolicies policies) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_script_gives_sigma_the_band_and_the_flags_of_every_tick_of_a_policy_run_and_a_teleop_run()
    {
        string[] recordings = [await RecordPolicyAskingForHelp(), await RecordTeleop()];
        var result = NodeUserScripts.Run(SimReach, recordings);

        int policyTicks = 0;
        int teleopTicks = 0;
        int helpTicks = 0;
        int unaidedPolicyTicks = 0;
        foreach (string recording in recordings)
        {
            var outputs = OutputsByTick(result, recording);
            var steps = TeleopLogReader.Read(recording).Episodes.SelectMany(e => e.Steps).ToList();
            // One message for every tick, none for a tick the file does not have.
            Assert.Equal(steps.Count, outputs.Count);
            foreach (var step in steps)
            {
                var output = outputs[(step.EpisodeId, step.Tick)];
                string at = $"{Path.GetFileName(recording)}, episode {step.EpisodeId} tick {step.Tick}";
                AssertFlags(step, output, at);
                AssertBand(step, output, at);
                if (step.PolicyMean.Count == 0)
                {
                    teleopTicks++;
                    continue;
                }
                policyTicks++;
                bool help = (step.Flags & (uint)StepFlag.HelpRequested) != 0;
                helpTicks += help ? 1 : 0;
                unaidedPolicyTicks += help ? 0 : 1;
            }
        }
        // The comparison covered each case: ticks with and without a policy, asking for help and not.
        Assert.True(policyTicks > 0 && teleopTicks > 0 && helpTicks > 0 && unaidedPolicyTicks > 0,
            $"policy ticks {policyTicks}, teleop ticks {teleopTicks}, help ticks {helpTicks}, policy ticks without help {unaidedPolicyTicks}");
    }

    [Fact]
    public async Task Every_path_on_the_scripts_topic_names_a_field_it_outputs_and_an_index_it_fills()
    {
        string recording = await RecordPolicyAskingForHelp();
        var result = NodeUserScripts.Run(SimReach, recording);
        var scriptOutputs = result.GetProperty("scripts").EnumerateArray().Select(s => s.GetProperty("output").GetString()!).ToList();
        Assert.All(scriptOutputs, topic => Assert.StartsWith(ScriptPrefix, topic, StringComparison.Ordinal));
        var messages = OutputsByTick(result, recording).Values.ToList();
        int actions = ReachSimulation.Describe(ReachSimulation.DefaultRateHz).Actions.Count;

        var paths = Paths(Read(SimReach)).Where(p => p.Topic.StartsWith(ScriptPrefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(paths);
        foreach (var path in paths)
        {
            Assert.True(scriptOutputs.Contains(path.Topic), $"{path.PanelId}: {path.Value}: no User Script outputs {path.Topic} (they output {string.Join(", ", scriptOutputs)})");
            Assert.True(path.Field is not null, $"{path.PanelId}: {path.Value} names no field");
            foreach (var message in messages)
            {
                var value = message[path.Field!];
                Assert.True(value is not null, $"{path.PanelId}: {path.Value}: the script's output has no field {path.Field}");
                if (path.Index is int index)
                {
                    // Every tick of this run had a policy: each band field is one number per action channel.
                    Assert.Equal(actions, value!.AsArray().Count);
                    Assert.InRange(index, 0, actions - 1);
                }
                else
                {
                    Assert.Equal(JsonValueKind.Number, value!.GetValueKind());
                }
            }
        }
    }

    [Fact]
    public void A_script_that_names_a_field_the_step_does_not_have_is_refused_as_the_app_would()
    {
        // The check is only worth something if it can fail: the shipped script with one field misspelt.
        var layout = JsonNode.Parse(File.ReadAllText(SimReach))!;
        var script = layout["userNodes"]!.AsObject().Single().Value!;
        string source = script["sourceCode"]!.GetValue<string>();
        Assert.Contains("step.flags", source, StringComparison.Ordinal);
        script["sourceCode"] = source.Replace("step.flags", "step.flag", StringComparison.Ordinal);
        string broken = _directory.File("broken.json");
        File.WriteAllText(broken, layout.ToJsonString());
        string recording = _directory.File("types.mcap");
        TestLogs.Write(recording, episodes: 1, stepsPerEpisode: 3);

        string refusal = NodeUserScripts.Refusal(broken, recording);

        Assert.Contains("does not type-check", refusal, StringComparison.Ordinal);
        Assert.Contains("Property 'flag' does not exist", refusal, StringComparison.Ordinal);
    }

    /// <summary>The script's message for each (episode, tick) of <paramref name="recording"/>.</summary>
    private static Dictionary<(ulong Episode, ulong Tick), JsonObject> OutputsByTick(JsonElement result, string recording)
    {
        var outputs = new Dictionary<(ulong, ulong), JsonObject>();
        foreach (var output in result.GetProperty("outputs").GetProperty(recording).EnumerateArray())
        {
            var key = (ulong.Parse(output.GetProperty("episode").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                ulong.Parse(output.GetProperty("tick").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(output.GetProperty("message").ValueKind == JsonValueKind.Object, $"the script gave no message for episode {key.Item1} tick {key.Item2}");
            Assert.True(outputs.TryAdd(key, JsonNode.Parse(output.GetProperty("message").GetRawText())!.AsObject()), $"two messages for episode {key.Item1} tick {key.Item2}");
        }
        return outputs;
    }

    private static void AssertFlags(Step step, JsonObject output, string at)
    {
        foreach (var (field, flag) in new[]
        {
            ("help", StepFlag.HelpRequested), ("intervention", StepFlag.Intervention), ("clamped", StepFlag.ActionClamped),
            ("overrun", StepFlag.DeadlineOverrun), ("stale_sensor", StepFlag.StaleSensor),
        })
        {
            int expected = (step.Flags & (uint)flag) != 0 ? 1 : 0;
            Assert.True(output[field]!.GetValue<double>() == expected, $"{at}: {field} {output[field]} for flags {step.Flags}");
        }
    }

    /// <summary>σ = exp(log σ) and μ ± σ per action channel, or empty arrays on a tick without a policy.</summary>
    private static void AssertBand(Step step, JsonObject output, string at)
    {
        var std = output["std"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        var upper = output["upper"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        var lower = output["lower"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(step.PolicyMean.Count, std.Count);
        Assert.Equal(step.PolicyMean.Count, upper.Count);
        Assert.Equal(step.PolicyMean.Count, lower.Count);
        for (int i = 0; i < step.PolicyMean.Count; i++)
        {
            double sigma = Math.Exp(step.PolicyLogStd[i]);
            AssertClose(sigma, std[i], $"{at}: σ[{i}]");
            AssertClose(step.PolicyMean[i] + sigma, upper[i], $"{at}: μ + σ [{i}]");
            AssertClose(step.PolicyMean[i] - sigma, lower[i], $"{at}: μ − σ [{i}]");
        }
    }

    // The script and this test compute in doubles from the same float32 values; exp may differ in the last bit.
    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, the script gave {actual}");

    /// <summary>
    /// Three autonomous episodes of the shared policy with a help threshold below any σ: each episode asks for help
    /// from its fifth tick on (five unsure ticks in a row), so the recording holds ticks with and without the flag.
    /// </summary>
    private Task<string> RecordPolicyAskingForHelp() =>
        Record("policy.mcap", "--policy", policies.Reach, "--mode", "autonomous", "--help-threshold", "0.000001");

    private Task<string> RecordTeleop() => Record("teleop.mcap", "--mode", "teleop");

    private async Task<string> Record(string name, params string[] options)
    {
        string log = _directory.File(name);
        using var child = ControllerProcess.Start(["run", "--robot", "sim:reach", "--episodes", "3", "--unpaced", "--no-realtime", "--record", log, .. options]);
        int exit = await child.WaitForExitAsync(Waits.Patience);
        Assert.True(exit == 0, $"controller run exited {exit}: {child.Stderr}");
        return log;
    }
}
