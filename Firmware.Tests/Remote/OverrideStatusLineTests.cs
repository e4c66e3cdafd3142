using Robotics.Controller.Cli;
using Robotics.Controller.Cli.OverrideInputs;
using Robotics.Controller.Loop;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Remote;

/// <summary>The live line `controller override` shows an operator: the key, the command sent, the robot's answer.</summary>
[Collection(nameof(SimPolicies))]
public sealed class OverrideStatusLineTests : IDisposable
{
    private static readonly ActionSpace Arm = new(["shoulder_torque", "elbow_torque"], [-2, -2], [2, 2]);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_line_shows_the_key_each_action_value_and_the_robots_answer()
    {
        Assert.Equal("key q · sending shoulder_torque +0.50, elbow_torque -0.25 · applied 120, rejected 1 · applied",
            OverrideStatusLine.Format(Arm, "q", [0.5f, -0.25f], 120, 1, "applied"));
        Assert.Equal("key - · sending shoulder_torque 0.00, elbow_torque 0.00 · applied 0, rejected 0 · no answer yet",
            OverrideStatusLine.Format(Arm, "", [0f, 0f], 0, 0, ""));
        Assert.Equal("sending shoulder_torque +2.00, elbow_torque -2.00 · applied 7, rejected 0 · stale: the safe action drives",
            OverrideStatusLine.Format(Arm, null, [2f, -2f], 7, 0, "stale: the safe action drives"));
    }

    [Fact]
    public void The_line_is_redrawn_in_place_at_most_ten_times_a_second_and_ended_once()
    {
        var terminal = new StringWriter();
        var line = new OverrideStatusLine(terminal, Arm);

        // A 50 Hz command stream for one second.
        for (int i = 0; i < 50; i++)
        {
            line.Update(TimeSpan.FromMilliseconds(20 * i), "w", [0.1f * i, 0], i, 0, "applied");
        }
        line.Finish();

        string text = terminal.ToString();
        Assert.Equal(10, text.Count(c => c == '\r'));
        Assert.EndsWith("· sending shoulder_torque +4.50, elbow_torque 0.00 · applied 45, rejected 0 · applied\u001b[K" + Environment.NewLine, text);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Override_whose_output_is_not_a_terminal_prints_no_live_line()
    {
        var options = new LoopOptions { RateHz = 100, Mode = ControlMode.Teleop, Realtime = false, Duration = TimeSpan.FromMinutes(2) };
        await using var harness = await RobotHarness.StartAsync(new ScriptedRobot(), options, @operator: new ConstantOperator(0));
        string script = _directory.File("push.txt");
        File.WriteAllText(script, "0 1.0\n0.5 0\n");

        var run = CliRun.Of(ControllerCli.Build(), "override", "--connect", harness.Server.Address.ToString(), "--token", RobotHarness.Token, "--source", "script:" + script, "--seconds", "0.6");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.DoesNotContain("\r", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sending", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("sent ", run.Stdout, StringComparison.Ordinal);
    }
}
