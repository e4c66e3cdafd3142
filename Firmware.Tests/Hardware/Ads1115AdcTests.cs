using Robotics.Hardware.OnBoard;
using Robotics.Tests.Support.Chips;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>ads1115</c> driver (Iot.Device.Bindings' Ads1115) against a register-level ADS1115.</summary>
public sealed class Ads1115AdcTests
{
    private const string TwoChannels = """
        { "channels": [ { "name": "pot", "input": "AIN0" }, { "name": "force", "input": "AIN2_AIN3", "range_v": 0.256 } ] }
        """;

    [Fact]
    public void Each_channel_is_a_single_shot_conversion_of_its_own_input_at_its_own_range()
    {
        var chip = new SimulatedAds1115();

        var sample = FirstSample(chip, ain0: 1.000, ain2: 0.150, ain3: 0.050);

        // ±4.096 V: LSB 125 µV, so 1.000 V is code 8000; ±0.256 V: LSB 7.8125 µV, 0.100 V is code 12800.
        Assert.Equal(1.000f, sample[0], 4);
        Assert.Equal(0.100f, sample[1], 5);
        // OS = 1, MUX = 100 (AIN0 to GND), PGA = 001 (±4.096 V), MODE = 1 (single shot); DR = 111 (860 SPS),
        // comparator off (COMP_QUE = 11): 0xC3E3, field by field from the datasheet's Config Register table.
        Assert.Contains((ushort)0xC3E3, chip.ConfigWrites);
        // MUX = 011 (AIN2 − AIN3), PGA = 101 (±0.256 V).
        Assert.Contains((ushort)0xBBE3, chip.ConfigWrites);
    }

    [Fact]
    public void Beyond_full_scale_reads_the_last_code_and_a_negative_difference_is_negative()
    {
        var sample = FirstSample(new SimulatedAds1115(), ain0: 5.0, ain2: 0.0, ain3: 0.010);

        // 0x7FFF: +FS less one LSB.
        Assert.Equal(4.095875f, sample[0], 0.000001f);
        Assert.Equal(-0.010f, sample[1], 5);
    }

    [Fact]
    public void A_new_input_value_shows_in_a_later_sample()
    {
        var chip = new SimulatedAds1115();
        using var adc = new SimulatedBoard(chip).Create(Ads1115Adc.Type, """{ "period_ms": 2, "channels": [ { "name": "pot" } ] }""");
        adc.Start();
        var sample = new float[1];

        chip.Apply(0, 2.5);

        Assert.True(SpinWait.SpinUntil(() => adc.ReadLatest(sample) != long.MinValue && Math.Abs(sample[0] - 2.5f) < 1e-3f, Waits.Patience));
        adc.Stop();
    }

    [Theory]
    [InlineData("""{ "channels": [ { "name": "a", "input": "AIN4" } ] }""", "channels[0].input: must be one of AIN0, AIN1, AIN2, AIN3, AIN0_AIN1, AIN0_AIN3, AIN1_AIN3, AIN2_AIN3")]
    [InlineData("""{ "channels": [ { "name": "a", "range_v": 5 } ] }""", "channels[0].range_v: must be one of 6.144, 4.096, 2.048, 1.024, 0.512, 0.256")]
    [InlineData("""{ "channels": [ { "name": "a" }, { "name": "a", "input": "AIN1" } ] }""", "channels[1]: repeats a")]
    [InlineData("""{ "channels": [] }""", "channels: required, a non-empty list")]
    [InlineData("""{ "channels": [ { "name": "a" } ], "data_rate": 100 }""", "data_rate: must be one of 8, 16, 32, 64, 128, 250, 475, 860")]
    public void Bad_settings_name_the_field(string settings, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => new SimulatedBoard().Create(Ads1115Adc.Type, settings));

        Assert.Equal($"robot.json: devices[0].settings.{message}", error.Message);
    }

    /// <summary>The two-channel device's first sample (pot on AIN0, force on AIN2 − AIN3) with those voltages applied.</summary>
    private static float[] FirstSample(SimulatedAds1115 chip, double ain0, double ain2, double ain3)
    {
        using var adc = new SimulatedBoard(chip).Create(Ads1115Adc.Type, TwoChannels);
        chip.Apply(0, ain0);
        chip.Apply(2, ain2);
        chip.Apply(3, ain3);
        adc.Start();
        var sample = new float[2];
        adc.ReadLatest(sample);
        Assert.Equal(["pot", "force"], adc.Inputs);
        adc.Stop();
        return sample;
    }
}
