using System.Device.Gpio;
using System.Text.Json;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Tests.Support.Chips;

/// <summary>
/// A robot's on-board buses with simulated chips on them: I2C bus 1 holds the chips a test puts at their
/// addresses (any other address never acknowledges), SPI bus 0 an MCP3008 at chip select 0 (nothing anywhere
/// else: MISO reads high), and one GPIO chip. Its registry builds the shipped drivers on these buses.
/// </summary>
public sealed class SimulatedBoard
{
    private readonly Dictionary<int, SimulatedI2cDevice> _chips = [];

    public SimulatedBoard(params SimulatedI2cDevice[] chips)
    {
        foreach (var chip in chips)
        {
            _chips[chip.ConnectionSettings.DeviceAddress] = chip;
        }
        Registry = DeviceRegistry.WithBuses(new BoardBuses(
            settings => settings.BusId == 1 && _chips.TryGetValue(settings.DeviceAddress, out var chip) ? chip.Reopen() : new AbsentChip(settings.DeviceAddress),
            settings => settings is { BusId: 0, ChipSelectLine: 0 } ? Adc : new SimulatedMcp3008 { Unplugged = true },
            _ => new GpioController(Gpio)));
    }

    public SimulatedGpioDriver Gpio { get; } = new();

    public SimulatedMcp3008 Adc { get; } = new();

    public DeviceRegistry Registry { get; }

    /// <summary>A device of <paramref name="type"/> with <paramref name="settings"/> (JSON), as a config would give it.</summary>
    public IDevice Create(string type, string settings, string name = "chip") =>
        Registry.Create(new DeviceConfig { Name = name, Type = type, Settings = JsonDocument.Parse(settings).RootElement }, "robot.json", 0);

    /// <summary>An address nothing answers at.</summary>
    private sealed class AbsentChip(int address) : SimulatedI2cDevice(address)
    {
        protected override void WriteRegisters(byte register, ReadOnlySpan<byte> data) => throw Nack();

        protected override void ReadRegisters(byte register, Span<byte> destination) => throw Nack();
    }
}
