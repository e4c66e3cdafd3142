using System.Device.Gpio;
using Robotics.Hardware.OnBoard;
using Robotics.Tests.Support.Chips;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>gpio</c> driver (System.Device.Gpio's GpioController) against a simulated GPIO chip.</summary>
public sealed class GpioPinsTests
{
    private const string Pins = """
        { "period_ms": 1,
          "inputs": [ { "name": "end_stop", "pin": 5, "pull": "up", "active_low": true }, { "name": "door", "pin": 6, "pull": "down" } ],
          "outputs": [ { "name": "brake", "pin": 20, "safe": 1 }, { "name": "lamp", "pin": 21, "active_low": true } ] }
        """;

    [Fact]
    public void Inputs_read_one_when_active_with_their_pull_resistors_set()
    {
        var board = new SimulatedBoard();
        using var pins = board.Create(GpioPins.Type, Pins);
        pins.Start();
        var sample = new float[2];

        pins.ReadLatest(sample);
        Assert.Equal([0f, 0f], sample);
        Assert.Equal(PinMode.InputPullUp, board.Gpio.Mode(5));
        Assert.Equal(PinMode.InputPullDown, board.Gpio.Mode(6));

        // The end stop's switch closes to ground; the door's to 3.3 V.
        board.Gpio.Drive(5, PinValue.Low);
        board.Gpio.Drive(6, PinValue.High);
        Assert.True(SpinWait.SpinUntil(() => pins.ReadLatest(sample) != long.MinValue && sample[0] == 1 && sample[1] == 1, Waits.Patience));
        pins.Stop();
    }

    [Fact]
    public void Outputs_open_at_their_safe_level_follow_the_loop_and_go_back_to_it_on_halt_and_stop()
    {
        var board = new SimulatedBoard();
        using var pins = board.Create(GpioPins.Type, Pins);

        pins.Start();
        // The brake is safe engaged (high); the lamp safe off, which active low is high.
        Assert.Equal(PinValue.High, board.Gpio.Output(20));
        Assert.Equal(PinValue.High, board.Gpio.Output(21));

        pins.WriteOutputs([0, 1]);
        Assert.True(SpinWait.SpinUntil(() => board.Gpio.Output(20) == PinValue.Low && board.Gpio.Output(21) == PinValue.Low, Waits.Patience));

        pins.Halt();
        Assert.True(SpinWait.SpinUntil(() => board.Gpio.Output(20) == PinValue.High && board.Gpio.Output(21) == PinValue.High, Waits.Patience));

        pins.Resume();
        pins.WriteOutputs([0, 0]);
        Assert.True(SpinWait.SpinUntil(() => board.Gpio.Output(20) == PinValue.Low, Waits.Patience));
        pins.Stop();
        Assert.True(board.Gpio.Disposed);
    }

    [Theory]
    [InlineData("""{ "inputs": [ { "name": "a", "pin": 5 } ], "outputs": [ { "name": "b", "pin": 5 } ] }""", "outputs: pin 5 is an input too")]
    [InlineData("""{ "inputs": [ { "name": "a", "pin": 5, "pull": "sideways" } ] }""", "inputs[0].pull: must be one of up, down, none")]
    [InlineData("""{ "outputs": [ { "name": "a", "pin": 5, "safe": 2 } ] }""", "outputs[0].safe: must be one of 0, 1")]
    [InlineData("""{ "outputs": [ { "name": "a", "pin": 5, "active_low": "yes" } ] }""", "outputs[0].active_low: must be true or false")]
    [InlineData("{}", "inputs: a gpio device needs inputs or outputs")]
    public void Bad_settings_name_the_field(string settings, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => new SimulatedBoard().Create(GpioPins.Type, settings));

        Assert.Equal($"robot.json: devices[0].settings.{message}", error.Message);
    }
}
