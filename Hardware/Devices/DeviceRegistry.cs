using Robotics.Hardware.Buses.Dynamixel;
using Robotics.Hardware.Buses.Feetech;
using Robotics.Hardware.Buses.Framed;
using Robotics.Hardware.Config;
using Robotics.Hardware.Input;
using Robotics.Hardware.OnBoard;

namespace Robotics.Hardware.Devices;

/// <summary>
/// Which driver a config's device type names. Drivers register a factory that takes the device's config
/// (its name and its own settings object) and builds the device, checking its settings with errors that name
/// the field. The default registry holds the drivers this build ships, on the Linux buses; tests make one
/// with the same drivers on fake chips (<see cref="WithBuses"/>).
/// </summary>
public sealed class DeviceRegistry
{
    private readonly Dictionary<string, Func<DeviceConfig, IDevice>> _factories = new(StringComparer.Ordinal);

    /// <summary>The drivers this build ships, on the robot's own buses.</summary>
    public static DeviceRegistry Default { get; } = WithBuses(BoardBuses.Linux);

    /// <summary>The drivers this build ships, with on-board chips reached through <paramref name="buses"/>.</summary>
    public static DeviceRegistry WithBuses(BoardBuses buses) => new DeviceRegistry()
        .Register(DynamixelServos.Type, DynamixelServos.FromConfig)
        .Register(FeetechServos.Type, FeetechServos.FromConfig)
        .Register(FramedSerialDevice.Type, FramedSerialDevice.FromConfig)
        .Register(EvdevDevice.Type, EvdevDevice.FromConfig)
        .Register(Mpu6050Imu.Type, c => Mpu6050Imu.FromConfig(c, buses))
        .Register(Ads1115Adc.Type, c => Ads1115Adc.FromConfig(c, buses))
        .Register(Ina219Monitor.Type, c => Ina219Monitor.FromConfig(c, buses))
        .Register(Mcp3008Adc.Type, c => Mcp3008Adc.FromConfig(c, buses))
        .Register(Pca9685Pwm.Type, c => Pca9685Pwm.FromConfig(c, buses))
        .Register(GpioPins.Type, c => GpioPins.FromConfig(c, buses));

    public IReadOnlyCollection<string> Types => _factories.Keys;

    public DeviceRegistry Register(string type, Func<DeviceConfig, IDevice> factory)
    {
        _factories[type] = factory;
        return this;
    }

    /// <summary>Builds the device a config entry describes.</summary>
    /// <exception cref="InvalidDataException">No driver has that type.</exception>
    public IDevice Create(DeviceConfig device, string path, int index)
    {
        if (!_factories.TryGetValue(device.Type!, out var factory))
        {
            throw new InvalidDataException($"{path}: devices[{index}].type: no driver for '{device.Type}' in this build" +
                (_factories.Count == 0 ? " (it has none yet: simulated robots run as --robot sim:NAME)" : $" (drivers: {string.Join(", ", _factories.Keys.Order())})"));
        }
        try
        {
            return factory(device);
        }
        catch (DeviceSettingsException e)
        {
            throw new InvalidDataException($"{path}: devices[{index}].settings.{e.Field}: {e.Message}", e);
        }
    }
}
