using System.Device.I2c;
using System.Device.Spi;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>How a chip's device reaches it: the opened bus, where that is (for messages), how often, how many retries.</summary>
public sealed record ChipLink<TBus>(Func<TBus> Open, string Location, TimeSpan Period, int Retries);

/// <summary>The settings every I2C and every SPI chip takes (docs/robot-config.md, "On-board chips").</summary>
public static class ChipLinks
{
    /// <summary>The settings <see cref="I2c"/> reads, for a driver listing every setting it knows.</summary>
    public static IReadOnlyList<string> I2cFields { get; } = ["bus", "address", "period_ms", "retries"];

    /// <summary>The settings <see cref="Spi"/> reads.</summary>
    public static IReadOnlyList<string> SpiFields { get; } = ["bus", "chip_select", "clock_hz", "period_ms", "retries"];

    /// <summary>bus (default 1: a Raspberry Pi header's), address (the chip's default), period_ms, retries (default 2).</summary>
    public static ChipLink<I2cDevice> I2c(DeviceSettings settings, BoardBuses buses, int defaultAddress, int defaultPeriodMs)
    {
        int bus = settings.WholeNumber("bus", 1, 0, 255);
        // 7-bit addresses; 0x00–0x07 and 0x78–0x7F are reserved (I2C-bus specification UM10204, table 4).
        int address = settings.Address("address", defaultAddress, 0x08, 0x77);
        return new(() => buses.OpenI2c(new I2cConnectionSettings(bus, address)), $"I2C bus {bus} at address 0x{address:X2}",
            Period(settings, defaultPeriodMs), Retries(settings));
    }

    /// <summary>bus (default 0: /dev/spidev0.N), chip_select (0), clock_hz, period_ms, retries (default 2).</summary>
    public static ChipLink<SpiDevice> Spi(DeviceSettings settings, BoardBuses buses, int maxClockHz, int defaultPeriodMs)
    {
        int bus = settings.WholeNumber("bus", 0, 0, 255);
        int chipSelect = settings.WholeNumber("chip_select", 0, 0, 255);
        int clock = settings.WholeNumber("clock_hz", Math.Min(1_000_000, maxClockHz), 1_000, maxClockHz);
        return new(() => buses.OpenSpi(new SpiConnectionSettings(bus, chipSelect) { ClockFrequency = clock }), $"SPI bus {bus}, chip select {chipSelect}",
            Period(settings, defaultPeriodMs), Retries(settings));
    }

    private static TimeSpan Period(DeviceSettings settings, int defaultPeriodMs) =>
        TimeSpan.FromMilliseconds(settings.WholeNumber("period_ms", defaultPeriodMs, 1, 10_000));

    private static int Retries(DeviceSettings settings) => settings.WholeNumber("retries", 2, 0, 10);
}
