using Robotics.Hardware.OnBoard;
using Robotics.Tests.Support.Chips;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>mcp3008</c> driver (Iot.Device.Bindings' Mcp3008) on SPI against a bit-level MCP3008.</summary>
public sealed class Mcp3008AdcTests
{
    [Fact]
    public void Each_channel_reads_its_input_in_volts_from_the_datasheets_transfer_function()
    {
        var board = new SimulatedBoard();
        using var adc = board.Create(Mcp3008Adc.Type, """{ "vref_v": 3.3, "channels": [ { "name": "pot", "input": 0 }, { "name": "light", "input": 7 } ] }""");
        // Code = 1024 × VIN / VREF: 1.65 V is code 512, which reads back as 1.65 V; 3.3 V saturates at 1023.
        board.Adc.Apply(0, 1.65);
        board.Adc.Apply(7, 3.3);

        adc.Start();
        var sample = new float[2];
        adc.ReadLatest(sample);

        Assert.Equal(["pot", "light"], adc.Inputs);
        Assert.Equal(1.65f, sample[0], 4);
        Assert.Equal(1023 * 3.3f / 1024, sample[1], 4);
        adc.Stop();
    }

    [Fact]
    public void A_missing_chip_reads_high_and_is_reported_naming_the_bus_and_chip_select()
    {
        var board = new SimulatedBoard();
        using var adc = board.Create(Mcp3008Adc.Type, """{ "chip_select": 1, "channels": [ { "name": "pot", "input": 0 } ] }""", name: "analog");

        var error = Assert.Throws<IOException>(adc.Start);

        Assert.Equal("analog: no MCP3008 answering on SPI bus 0, chip select 1: Invalid data was read from the sensor", error.Message);
    }

    [Fact]
    public void A_chip_that_goes_away_is_counted_and_its_sample_ages()
    {
        var board = new SimulatedBoard();
        using var adc = board.Create(Mcp3008Adc.Type, """{ "period_ms": 2, "channels": [ { "name": "pot", "input": 3 } ] }""");
        adc.Start();
        var sample = new float[1];

        board.Adc.Unplugged = true;
        Assert.True(SpinWait.SpinUntil(() => adc.Counters["failed"] >= 2, Waits.Patience));
        long last = adc.ReadLatest(sample);
        Thread.Sleep(50);
        Assert.Equal(last, adc.ReadLatest(sample));

        board.Adc.Unplugged = false;
        Assert.True(SpinWait.SpinUntil(() => adc.ReadLatest(sample) > last, Waits.Patience));
        adc.Stop();
    }

    [Theory]
    [InlineData("""{ "channels": [ { "name": "a", "input": 8 } ] }""", "channels[0].input: must be a whole number from 0 to 7")]
    [InlineData("""{ "clock_hz": 5000000, "channels": [ { "name": "a", "input": 0 } ] }""", "clock_hz: must be a whole number from 1000 to 3600000")]
    public void Bad_settings_name_the_field(string settings, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => new SimulatedBoard().Create(Mcp3008Adc.Type, settings));

        Assert.Equal($"robot.json: devices[0].settings.{message}", error.Message);
    }
}
