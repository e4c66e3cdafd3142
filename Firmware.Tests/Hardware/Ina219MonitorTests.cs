using Robotics.Hardware.OnBoard;
using Robotics.Tests.Support.Chips;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>ina219</c> driver against a register-level INA219 (TI SBOS448G).</summary>
public sealed class Ina219MonitorTests
{
    [Fact]
    public void The_breakouts_defaults_configure_the_power_on_value_and_full_scale_reads_as_the_shunts_current()
    {
        var chip = new SimulatedIna219();
        using var monitor = (Ina219Monitor)new SimulatedBoard(chip).Create(Ina219Monitor.Type, "{}");
        // Full scale of the ±320 mV range: shunt register 0x7D00 (§8.6.3.1); 12.0 V on the bus.
        chip.Measure(0.320, 12.0);

        monitor.Start();
        var sample = new float[3];
        monitor.ReadLatest(sample);

        Assert.Equal(["voltage", "current", "power"], monitor.Inputs);
        // 32 V bus, ±320 mV shunt, 12-bit shunt and bus, both continuous: the chip's own reset value.
        Assert.Equal(SimulatedIna219.PowerOnConfiguration, monitor.Configuration);
        Assert.Equal(SimulatedIna219.PowerOnConfiguration, chip.Configuration);
        Assert.Equal(12.0f, sample[0], 3);
        Assert.Equal(3.2f, sample[1], 4);
        Assert.Equal(38.4f, sample[2], 2);
        monitor.Stop();
    }

    [Fact]
    public void A_backwards_current_reads_negative()
    {
        var chip = new SimulatedIna219();
        using var monitor = new SimulatedBoard(chip).Create(Ina219Monitor.Type, "{}");
        // −320 mV is 0x8300 in the shunt voltage register: two's complement (§8.6.3.1).
        chip.Measure(-0.320, 12.6);

        monitor.Start();
        var sample = new float[3];
        monitor.ReadLatest(sample);

        Assert.Equal(-3.2f, sample[1], 4);
        Assert.Equal(-40.32f, sample[2], 2);
        monitor.Stop();
    }

    [Fact]
    public void The_gain_is_the_smallest_range_holding_the_largest_drop()
    {
        var chip = new SimulatedIna219(0x41);
        using var monitor = (Ina219Monitor)new SimulatedBoard(chip).Create(Ina219Monitor.Type,
            """{ "address": "0x41", "shunt_ohms": 0.1, "max_current_a": 1.0, "bus_range_v": 16, "samples": 8 }""");
        chip.Measure(0.5, 5.0);

        monitor.Start();
        var sample = new float[3];
        monitor.ReadLatest(sample);

        // BRNG = 0 (16 V), PG = 10 (±160 mV for 100 mV), BADC = SADC = 1011 (8 samples), MODE = 111.
        Assert.Equal(0b0_0_10_1011_1011_111, monitor.Configuration);
        Assert.Equal(monitor.Configuration, chip.Configuration);
        // 0.5 V across the shunt is beyond ±160 mV: the register holds full scale, 1.6 A.
        Assert.Equal(1.6f, sample[1], 4);
        monitor.Stop();
    }

    [Fact]
    public void Another_chip_at_the_address_is_refused_by_its_reset_value()
    {
        // A PCA9685 also defaults to 0x40.
        using var monitor = new SimulatedBoard(new SimulatedPca9685()).Create(Ina219Monitor.Type, "{}", name: "battery");

        var error = Assert.Throws<IOException>(monitor.Start);

        Assert.StartsWith("battery: no INA219 answering on I2C bus 1 at address 0x40: after a reset its configuration register reads 0x", error.Message);
    }

    [Fact]
    public void A_current_the_chip_cannot_measure_through_the_shunt_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => new SimulatedBoard().Create(Ina219Monitor.Type, """{ "shunt_ohms": 0.1, "max_current_a": 5 }"""));

        Assert.Equal("robot.json: devices[0].settings.max_current_a: 5 A through 0.1 Ω drops 500 mV, beyond the INA219's ±320 mV: use a smaller shunt", error.Message);
    }
}
