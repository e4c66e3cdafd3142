using Robotics.Hardware.Devices;
using Robotics.Tests.Support;

namespace Robotics.Tests.Hardware;

/// <summary>A bus the board has not enabled is named, with how to enable it and the buses that are there.</summary>
public sealed class BoardBusFilesTests : IDisposable
{
    private readonly TempDirectory _dev = new();

    public void Dispose() => _dev.Dispose();

    [Fact]
    public void A_missing_I2C_bus_is_named_with_how_to_enable_it_and_no_buses_when_there_are_none()
    {
        var error = Assert.Throws<IOException>(() => new BoardBusFiles(_dev.Path).RequireI2c(1));

        Assert.Equal($"I2C bus 1 ({_dev.Path}/i2c-1) does not exist; no I2C buses here; to enable it: on a Raspberry Pi "
            + "`sudo raspi-config nonint do_i2c 0` (or dtparam=i2c_arm=on in config.txt), elsewhere `sudo modprobe i2c-dev`", error.Message);
    }

    [Fact]
    public void A_missing_bus_lists_the_buses_that_are_there_and_a_present_one_passes()
    {
        File.WriteAllText(_dev.File("i2c-20"), "");
        File.WriteAllText(_dev.File("spidev0.0"), "");
        var files = new BoardBusFiles(_dev.Path);

        Assert.Contains($"I2C buses here: {_dev.Path}/i2c-20;", Assert.Throws<IOException>(() => files.RequireI2c(1)).Message);
        Assert.StartsWith($"SPI bus 0 chip select 1 ({_dev.Path}/spidev0.1) does not exist; SPI devices here: {_dev.Path}/spidev0.0;",
            Assert.Throws<IOException>(() => files.RequireSpi(0, 1)).Message);
        files.RequireI2c(20);
        files.RequireSpi(0, 0);
    }
}
