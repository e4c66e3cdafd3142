namespace Robotics.Hardware.Devices;

/// <summary>
/// The Linux device files of a board's I2C and SPI buses (i2c-dev's <c>/dev/i2c-N</c>, spidev's <c>/dev/spidevB.C</c>):
/// a bus whose file is missing is one the board has not enabled, and the user is told that, how to enable it and
/// which buses there are, rather than the driver's "Can not open I2C device file".
/// </summary>
/// <param name="deviceDirectory">Where the device files are (<c>/dev</c>).</param>
public sealed class BoardBusFiles(string deviceDirectory)
{
    /// <summary>This computer's.</summary>
    public static BoardBusFiles ThisComputer { get; } = new("/dev");

    /// <summary>Throws, naming the bus and what to do, when I2C bus <paramref name="bus"/> has no device file.</summary>
    public void RequireI2c(int bus) => Require(
        Path.Combine(deviceDirectory, $"i2c-{bus}"), $"I2C bus {bus}", "i2c-*", "I2C buses",
        "on a Raspberry Pi `sudo raspi-config nonint do_i2c 0` (or dtparam=i2c_arm=on in config.txt), elsewhere `sudo modprobe i2c-dev`");

    /// <summary>Throws, naming the bus and what to do, when SPI bus <paramref name="bus"/>'s chip select has no device file.</summary>
    public void RequireSpi(int bus, int chipSelect) => Require(
        Path.Combine(deviceDirectory, $"spidev{bus}.{chipSelect}"), $"SPI bus {bus} chip select {chipSelect}", "spidev*", "SPI devices",
        "on a Raspberry Pi `sudo raspi-config nonint do_spi 0` (or dtparam=spi=on in config.txt), elsewhere `sudo modprobe spidev`");

    private void Require(string path, string bus, string pattern, string kind, string howToEnable)
    {
        if (File.Exists(path))
        {
            return;
        }
        var present = Directory.Exists(deviceDirectory)
            ? Directory.EnumerateFileSystemEntries(deviceDirectory, pattern).Order(StringComparer.Ordinal).ToList()
            : [];
        string here = present.Count == 0 ? $"no {kind} here" : $"{kind} here: {string.Join(", ", present)}";
        throw new IOException($"{bus} ({path}) does not exist; {here}; to enable it: {howToEnable}");
    }
}
