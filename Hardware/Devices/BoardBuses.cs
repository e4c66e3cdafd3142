using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Device.I2c;
using System.Device.Spi;

namespace Robotics.Hardware.Devices;

/// <summary>
/// Where on-board drivers get their buses: the I2C device at an address, the SPI device at a chip select, the
/// GPIO controller of a chip. On the robot these are the Linux ones (/dev/i2c-N, /dev/spidevB.C, the GPIO
/// character device); tests hand in register-level fakes of the chips instead, and the drivers cannot tell.
/// </summary>
/// <param name="OpenI2c">The device at a bus and address. The caller disposes it.</param>
/// <param name="OpenSpi">The device on a bus and chip select. The caller disposes it.</param>
/// <param name="OpenGpio">A controller for a GPIO chip, or for the board's own when null. The caller disposes it.</param>
public sealed record BoardBuses(Func<I2cConnectionSettings, I2cDevice> OpenI2c, Func<SpiConnectionSettings, SpiDevice> OpenSpi, Func<int?, GpioController> OpenGpio)
{
    /// <summary>The Linux kernel's: i2c-dev, spidev, and libgpiod (or the board's best driver when no chip is named).</summary>
    public static BoardBuses Linux { get; } = new(
        settings =>
        {
            BoardBusFiles.ThisComputer.RequireI2c(settings.BusId);
            return I2cDevice.Create(settings);
        },
        settings =>
        {
            BoardBusFiles.ThisComputer.RequireSpi(settings.BusId, settings.ChipSelectLine);
            return SpiDevice.Create(settings);
        },
        chip => chip is int number ? new GpioController(new LibGpiodDriver(number)) : new GpioController());
}
