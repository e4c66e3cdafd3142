using System.Device.I2c;
using Iot.Device.Imu;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>
/// The <c>mpu6050</c> device: an InvenSense MPU-6050 IMU through Iot.Device.Bindings' <see cref="Mpu6050"/>.
/// Channels <c>accel_x/y/z</c> in m/s² and <c>gyro_x/y/z</c> in rad/s, in the chip's axes.
/// </summary>
public sealed class Mpu6050Imu : BusChip<I2cDevice>
{
    public const string Type = "mpu6050";

    // AD0 low: 0x68, AD0 high: 0x69 (MPU-6000/6050 Product Specification rev 3.4, §9.2).
    private const int DefaultAddress = 0x68;
    private const float RadiansPerDegree = MathF.PI / 180;

    private readonly AccelerometerRange _accelRange;
    private readonly GyroscopeRange _gyroRange;
    private Mpu6050? _imu;

    private Mpu6050Imu(string name, ChipLink<I2cDevice> link, AccelerometerRange accelRange, GyroscopeRange gyroRange)
        : base(name, link, ["accel_x", "accel_y", "accel_z", "gyro_x", "gyro_y", "gyro_z"], [])
    {
        _accelRange = accelRange;
        _gyroRange = gyroRange;
    }

    protected override string Chip => "MPU-6050";

    /// <summary>Settings: bus, address (0x68), period_ms (5), retries, accel_range_g (2, 4, 8, 16; default 4), gyro_range_dps (250, 500, 1000, 2000; default 500).</summary>
    public static IDevice FromConfig(DeviceConfig config, BoardBuses buses)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown([.. ChipLinks.I2cFields, "accel_range_g", "gyro_range_dps"]);
        var accel = settings.OneOf("accel_range_g", 4,
            (2, AccelerometerRange.Range02G), (4, AccelerometerRange.Range04G), (8, AccelerometerRange.Range08G), (16, AccelerometerRange.Range16G));
        var gyro = settings.OneOf("gyro_range_dps", 500,
            (250, GyroscopeRange.Range0250Dps), (500, GyroscopeRange.Range0500Dps), (1000, GyroscopeRange.Range1000Dps), (2000, GyroscopeRange.Range2000Dps));
        return new Mpu6050Imu(config.Name!, ChipLinks.I2c(settings, buses, DefaultAddress, defaultPeriodMs: 5), accel, gyro);
    }

    protected override void Connect(I2cDevice device)
    {
        // The binding resets the chip, wakes it, checks WHO_AM_I (0x68) and throws if it is not an MPU-6050.
        var imu = new Mpu6050(device);
        imu.AccelerometerRange = _accelRange;
        imu.GyroscopeRange = _gyroRange;
        // The binding divides its scales by 1 + SMPLRT_DIV, which is right only at 0, the reset value: keep it there.
        imu.SampleRateDivider = 0;
        _imu = imu;
    }

    protected override void ReadInputs(Span<float> inputs)
    {
        var acceleration = _imu!.GetAccelerometer();
        var rate = _imu.GetGyroscopeReading();
        inputs[0] = acceleration.X;
        inputs[1] = acceleration.Y;
        inputs[2] = acceleration.Z;
        inputs[3] = rate.X * RadiansPerDegree;
        inputs[4] = rate.Y * RadiansPerDegree;
        inputs[5] = rate.Z * RadiansPerDegree;
    }

    protected override void Disconnect()
    {
        // The binding disposes the I2C device it was given; BusChip disposing it again is harmless.
        _imu?.Dispose();
        _imu = null;
    }
}
