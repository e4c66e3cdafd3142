using Robotics.Controller.Cli;
using Robotics.Emulators;
using Robotics.Hardware.Buses.Framed;
using Robotics.Tests.Cli;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>
/// The output timeout a framed-serial board applies when SET_OUTPUTS stop coming (a stalled loop, a cut cable, a
/// controller killed by SIGKILL), set by the controller in HELLO: the device against the emulated board, and
/// real <c>controller</c> commands, one of them a child process killed with SIGKILL.
/// </summary>
[Collection(SerialLines.Name)]
public sealed class FramedOutputTimeoutTests : IDisposable
{
    private static readonly string[] Inputs = ["position", "velocity", "current"];
    private static readonly string[] Outputs = ["goal", "brake"];
    private static readonly TimeSpan BoardPeriod = TimeSpan.FromMilliseconds(5);

    private readonly TempDirectory _directory = new();
    private readonly PseudoTerminalPair _line = new();
    private FramedBoardEmulator? _board;
    private FramedSerialDevice? _device;

    public void Dispose()
    {
        _device?.Dispose();
        _board?.Dispose();
        _line.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void The_board_applies_the_output_timeout_hello_asks_for_and_the_device_shows_it()
    {
        var board = Board(Outputs.Length);
        var device = Start(Outputs, TimeSpan.FromMilliseconds(150));

        Assert.Equal(TimeSpan.FromMilliseconds(150), board.OutputTimeout);
        Assert.Equal(150, device.Counters["board_output_timeout_ms"]);
        Assert.Empty(device.Notes);
    }

    [Fact]
    public void The_board_goes_safe_by_itself_when_set_outputs_stop_and_the_next_one_leaves_the_safe_state()
    {
        var board = Board(Outputs.Length);
        var device = Start(Outputs, TimeSpan.FromMilliseconds(100));

        // One hand-over, then none: a loop that stalled. The device sends nothing more, not even SAFE.
        device.WriteOutputs([1f, 1f]);

        WaitUntil(() => board.WatchdogTrips == 1, "the board's output timeout");
        Assert.True(board.IsSafe);
        Assert.Equal(new[] { 0f, 0f }, board.Outputs);
        Assert.Equal(0, board.Safes);
        device.WriteOutputs([0.5f, 0f]);
        // Only a board that left the safe state can time out again.
        WaitUntil(() => board.WatchdogTrips == 2, "the next SET_OUTPUTS to leave the safe state, and its timeout");
        Assert.Equal(2, board.Commands);
    }

    [Fact]
    public void A_halted_controller_sending_safe_is_not_taken_for_a_dead_one_and_resuming_drives_the_board_again()
    {
        var board = Board(Outputs.Length);
        var device = Start(Outputs, TimeSpan.FromMilliseconds(100));
        device.WriteOutputs([1f, 1f]);
        WaitUntil(() => board.Commands == 1, "the board commanded");

        device.Halt();
        WaitUntil(() => board.Safes >= 1, "SAFE");
        int trips = board.WatchdogTrips;
        // Thirty periods of SAFE and no SET_OUTPUTS, three times the timeout: safe already, the board has nothing to time out.
        WaitUntil(() => board.Safes >= 30, "SAFE every period");
        Assert.True(board.IsSafe);
        Assert.Equal(trips, board.WatchdogTrips);
        device.Resume();
        device.WriteOutputs([0.5f, 0f]);

        WaitUntil(() => board.WatchdogTrips == trips + 1, "the outputs after resuming, then their timeout");
        Assert.Equal(2, board.Commands);
    }

    [Fact]
    public void A_cut_cable_leaves_the_board_to_go_safe_by_itself()
    {
        var board = Board(Outputs.Length);
        var device = Start(Outputs, TimeSpan.FromMilliseconds(100));
        device.WriteOutputs([1f, 1f]);
        WaitUntil(() => board.Commands == 1, "the board commanded");

        _line.Unplug();

        WaitUntil(() => board.WatchdogTrips >= 1 && board.IsSafe, "the board's output timeout");
        Assert.Equal(new[] { 0f, 0f }, board.Outputs);
    }

    [Fact]
    public void A_board_written_before_output_timeouts_is_driven_with_a_note_that_its_outputs_stay()
    {
        var board = Board(Outputs.Length, confirmsOutputTimeout: false);
        var device = Start(Outputs, TimeSpan.FromMilliseconds(200));

        Assert.Equal([$"board: the board on {_line.Driver} does not confirm an output timeout (its HELLO_REPLY is the short one of a board written before them) " +
            "where output_timeout_ms asks for 200 ms: when the controller dies its outputs stay as they were"], device.Notes);
        Assert.Equal(0, device.Counters["board_output_timeout_ms"]);
        device.WriteOutputs([0.25f, 0f]);
        WaitUntil(() => board.Outputs[0] == 0.25f, "the outputs at the board");
    }

    [Fact]
    public void A_board_without_outputs_has_nothing_to_time_out_and_gets_no_note()
    {
        Board(outputs: 0, confirmsOutputTimeout: false);

        var device = Start([], TimeSpan.FromMilliseconds(200));

        Assert.Empty(device.Notes);
    }

    [Fact]
    public void A_controller_killed_by_SIGKILL_leaves_the_board_safe_by_its_output_timeout()
    {
        var board = Board(outputs: 1);
        // Teleop with a remote operator who never connects: the loop sends the safe action, 0.25, every tick.
        using var controller = ControllerProcess.Start(["run", "--robot", Config(outputTimeout: null), "--mode", "teleop", "--duration", "10m", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token]);
        WaitUntil(() => !board.IsSafe && board.Outputs[0] == 0.25f, "the board commanded by the controller", TimeSpan.FromSeconds(60));
        // The default, set by the controller's HELLO.
        Assert.Equal(TimeSpan.FromMilliseconds(200), board.OutputTimeout);

        controller.Kill();

        // Nothing more comes from the controller; the bound only waits, it does not time the board.
        WaitUntil(() => board.IsSafe && board.WatchdogTrips >= 1, "the board's output timeout", TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { 0f }, board.Outputs);
    }

    [Fact]
    public void Run_warns_about_a_board_written_before_output_timeouts_and_drives_it_all_the_same()
    {
        var board = Board(outputs: 1, confirmsOutputTimeout: false);

        var run = CliRun.Of(ControllerCli.Build(), "run", "--robot", Config(outputTimeout: 300), "--mode", "teleop", "--duration", "1s", "--no-realtime",
            "--grpc", "http://127.0.0.1:0", "--token", RobotHarness.Token, "--json");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"warning: motor: the board on {_line.Driver} does not confirm an output timeout (its HELLO_REPLY is the short one of a board written before them) " +
            "where output_timeout_ms asks for 300 ms: when the controller dies its outputs stay as they were", run.Stderr, StringComparison.Ordinal);
        Assert.True(board.Commands > 0, "the board was not driven");
        Assert.Equal(0, board.WatchdogTrips);
    }

    [Fact]
    public void Check_warns_about_a_board_written_before_output_timeouts_and_shows_it_applies_none()
    {
        Board(outputs: 1, confirmsOutputTimeout: false);

        var check = CliRun.Of(ControllerCli.Build(), "check", "--robot", Config(outputTimeout: null), "--seconds", "0.5", "--json");

        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Contains($"warning: motor: the board on {_line.Driver} does not confirm an output timeout", check.Stderr, StringComparison.Ordinal);
        var device = check.Json.GetProperty("devices")[0];
        Assert.Equal(0, device.GetProperty("counters").GetProperty("board_output_timeout_ms").GetInt64());
        Assert.Single(device.GetProperty("notes").EnumerateArray());
    }

    private FramedBoardEmulator Board(int outputs, bool confirmsOutputTimeout = true) =>
        _board = new FramedBoardEmulator(_line.Device, Inputs.Length, outputs, BoardPeriod, confirmsOutputTimeout: confirmsOutputTimeout);

    private FramedSerialDevice Start(string[] outputs, TimeSpan outputTimeout)
    {
        _device = new FramedSerialDevice("board", new FramedSerialSettings(_line.Driver, 115_200, Inputs, outputs, TimeSpan.FromMilliseconds(10),
            TimeSpan.FromMilliseconds(100), 2, TimeSpan.Zero, outputTimeout));
        _device.Start();
        return _device;
    }

    /// <summary>A one-motor robot at 50 Hz on the emulated board; its output timeout the default when null.</summary>
    private string Config(int? outputTimeout)
    {
        string path = _directory.File("motor.json");
        string timeout = outputTimeout is int ms ? $", \"output_timeout_ms\": {ms}" : "";
        File.WriteAllText(path, $$"""
            {
              "name": "one-motor",
              "rate_hz": 50,
              "devices": [ { "name": "motor", "type": "framed-serial",
                             "settings": { "port": "{{_line.Driver}}", "inputs": ["position", "velocity", "current"], "outputs": ["command"], "timeout_ms": 100{{timeout}} } } ],
              "observations": [
                { "name": "position", "unit": "rad", "source": "motor.position", "max_age_ms": 500 },
                { "name": "current", "unit": "A", "source": "motor.current", "max_age_ms": 500 }
              ],
              "actions": [ { "name": "command", "unit": "1", "target": "motor.command", "min": -1, "max": 1, "safe": 0.25 } ]
            }
            """);
        return path;
    }

    private static void WaitUntil(Func<bool> condition, string what, TimeSpan? patience = null) =>
        Assert.True(SpinWait.SpinUntil(condition, patience ?? Waits.Patience), $"timed out waiting for {what}");
}
