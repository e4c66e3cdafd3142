using Robotics.Hardware.Devices;
using Robotics.Hardware.OnBoard;
using Robotics.Tests.Support.Chips;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>The <c>mpu6050</c> driver (Iot.Device.Bindings' Mpu6050) against a register-level MPU-6050.</summary>
public sealed class Mpu6050ImuTests
{
    private const float G = 9.807f;
    private const float RadiansPerDegree = MathF.PI / 180;

    [Fact]
    public void Datasheet_sensitivities_read_as_one_g_and_one_degree_per_second()
    {
        var chip = new SimulatedMpu6050();
        using var imu = new SimulatedBoard(chip).Create(Mpu6050Imu.Type, """{ "accel_range_g": 2, "gyro_range_dps": 250 }""");
        // Register Map rev 4.2, §4.17 and §4.19: 16384 LSB/g at AFS_SEL = 0, 131 LSB/(°/s) at FS_SEL = 0.
        chip.Measure(0, 0, 16384, 131, -131, 0);

        imu.Start();
        var sample = Latest(imu);

        Assert.Equal(["accel_x", "accel_y", "accel_z", "gyro_x", "gyro_y", "gyro_z"], imu.Inputs);
        Assert.Equal(G, sample[2], 3);
        Assert.Equal(0, sample[0]);
        // The binding scales by 250/32768 rather than 1/131: within 0.06 %.
        Assert.Equal(RadiansPerDegree, sample[3], 0.0006 * RadiansPerDegree);
        Assert.Equal(-RadiansPerDegree, sample[4], 0.0006 * RadiansPerDegree);
        Assert.Equal(0, chip.Register(SimulatedMpu6050.AccelConfig));
        Assert.Equal(0, chip.Register(SimulatedMpu6050.GyroConfig));
        imu.Stop();
    }

    [Fact]
    public void The_default_ranges_are_4_g_and_500_degrees_per_second_written_to_the_config_registers()
    {
        var chip = new SimulatedMpu6050();
        using var imu = new SimulatedBoard(chip).Create(Mpu6050Imu.Type, "{}");
        // 8192 LSB/g at AFS_SEL = 1, 65.5 LSB/(°/s) at FS_SEL = 1.
        chip.Measure(-8192, 0, 0, 0, 0, 655);

        imu.Start();
        var sample = Latest(imu);

        Assert.Equal(1 << 3, chip.Register(SimulatedMpu6050.AccelConfig));
        Assert.Equal(1 << 3, chip.Register(SimulatedMpu6050.GyroConfig));
        Assert.Equal(-G, sample[0], 3);
        Assert.Equal(10 * RadiansPerDegree, sample[5], 0.001 * RadiansPerDegree * 10);
        // Awake: the binding cleared SLEEP (PWR_MGMT_1 bit 6), or the data registers would read 0.
        Assert.Equal(0, chip.Register(SimulatedMpu6050.PowerManagement1) & 0x40);
        imu.Stop();
    }

    [Fact]
    public void A_nack_is_retried_and_counted_and_a_chip_that_stops_answering_lets_the_sample_age()
    {
        var chip = new SimulatedMpu6050();
        using var imu = new SimulatedBoard(chip).Create(Mpu6050Imu.Type, """{ "period_ms": 2, "retries": 2 }""");
        imu.Start();
        var buffer = new float[6];

        chip.FailNext(1);
        Assert.True(SpinWait.SpinUntil(() => imu.Counters["retried"] >= 1, Waits.Patience));
        long fresh = imu.ReadLatest(buffer);
        Assert.True(SpinWait.SpinUntil(() => imu.ReadLatest(buffer) > fresh, Waits.Patience), "polling goes on after a retried NACK");

        chip.FailNext(int.MaxValue);
        Assert.True(SpinWait.SpinUntil(() => imu.Counters["failed"] >= 2, Waits.Patience));
        long last = imu.ReadLatest(buffer);
        Thread.Sleep(50);
        Assert.Equal(last, imu.ReadLatest(buffer));
        Assert.True(imu.Counters["errors"] >= 2);

        chip.FailNext(0);
        Assert.True(SpinWait.SpinUntil(() => imu.ReadLatest(buffer) > last, Waits.Patience), "the sample is fresh again once the chip answers");
        imu.Stop();
    }

    [Fact]
    public void Another_chip_at_the_address_is_refused_by_its_identity()
    {
        var chip = new SimulatedMpu6050 { Identity = 0x71 };
        using var imu = new SimulatedBoard(chip).Create(Mpu6050Imu.Type, "{}", name: "imu");

        var error = Assert.Throws<IOException>(imu.Start);

        Assert.StartsWith("imu: no MPU-6050 answering on I2C bus 1 at address 0x68: ", error.Message);
        Assert.Contains("signature 0x68", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_at_the_address_is_one_error_naming_the_bus_and_address()
    {
        using var imu = new SimulatedBoard().Create(Mpu6050Imu.Type, """{ "address": "0x69" }""", name: "imu");

        var error = Assert.Throws<IOException>(imu.Start);

        Assert.StartsWith("imu: no MPU-6050 answering on I2C bus 1 at address 0x69: Error 121", error.Message);
    }

    [Fact]
    public void A_bus_that_cannot_be_opened_is_one_error_naming_the_device_and_the_bus()
    {
        var buses = new BoardBuses(
            _ => throw new IOException("Error 2 (No such file or directory). Can not open I2C device file '/dev/i2c-1'."),
            _ => throw new NotSupportedException(),
            _ => throw new NotSupportedException());
        using var imu = DeviceRegistry.WithBuses(buses).Create(
            new Robotics.Hardware.Config.DeviceConfig { Name = "imu", Type = Mpu6050Imu.Type, Settings = System.Text.Json.JsonDocument.Parse("{}").RootElement }, "robot.json", 0);

        var error = Assert.Throws<IOException>(imu.Start);

        Assert.Equal("imu: cannot open I2C bus 1 at address 0x68 for its MPU-6050: Error 2 (No such file or directory). Can not open I2C device file '/dev/i2c-1'.", error.Message);
    }

    [Theory]
    [InlineData("""{ "accel_range_g": 3 }""", "devices[0].settings.accel_range_g: must be one of 2, 4, 8, 16")]
    [InlineData("""{ "address": "0x7A" }""", "devices[0].settings.address: must be a number or a hexadecimal string from 0x08 to 0x77")]
    [InlineData("""{ "retries": -1 }""", "devices[0].settings.retries: must be a whole number from 0 to 10")]
    [InlineData("""{ "adress": "0x69" }""", "devices[0].settings.adress: unknown setting (known: bus, address, period_ms, retries, accel_range_g, gyro_range_dps)")]
    public void Bad_settings_name_the_field(string settings, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => new SimulatedBoard().Create(Mpu6050Imu.Type, settings));

        Assert.Equal($"robot.json: {message}", error.Message);
    }

    private static float[] Latest(IDevice device)
    {
        var sample = new float[device.Inputs.Count];
        Assert.NotEqual(long.MinValue, device.ReadLatest(sample));
        return sample;
    }
}
