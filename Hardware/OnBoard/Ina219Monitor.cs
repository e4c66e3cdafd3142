using System.Buffers.Binary;
using System.Device.I2c;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.OnBoard;

/// <summary>
/// The <c>ina219</c> device: a TI INA219 current and voltage monitor on the battery lead. Channels
/// <c>voltage</c> (the bus, V), <c>current</c> (through the shunt, A; negative when it flows backwards, as while charging) and <c>power</c> (W).
/// Registers are ours (TI SBOS448G, §8.6): Iot.Device.Bindings 4.2.0's <c>Ina219</c> reads the shunt voltage
/// and current registers as unsigned, so a shunt voltage of −10 mV (0.1 A backwards through 0.1 Ω) reads as
/// +645 mV, and it waits out a conversion time before every read. Current is the shunt voltage over the shunt's resistance (§8.5.3, no
/// calibration register needed), power the product of the two readings.
/// </summary>
public sealed class Ina219Monitor : BusChip<I2cDevice>
{
    public const string Type = "ina219";

    // A0 and A1 to GND: 0x40 (§8.5.5.1, Serial Bus Address).
    private const int DefaultAddress = 0x40;

    // Register pointers (§8.6.1, Register Information).
    private const byte ConfigurationRegister = 0x00;
    private const byte ShuntVoltageRegister = 0x01;
    private const byte BusVoltageRegister = 0x02;

    // Configuration register (§8.6.2.1): RST is bit 15; 0x399F is its power-on value.
    private const ushort Reset = 0x8000;
    private const ushort PowerOnConfiguration = 0x399F;
    private const int BusRange32V = 1 << 13;
    private const int ShuntAndBusContinuous = 0b111;

    // Shunt voltage LSB 10 µV (§8.6.3.1); bus voltage LSB 4 mV in bits 15–3 (§8.6.3.2).
    private const float ShuntVoltsPerBit = 10e-6f;
    private const float BusVoltsPerBit = 4e-3f;

    private readonly float _shuntOhms;
    private readonly ushort _configuration;
    private readonly byte[] _pointer = new byte[1];
    private readonly byte[] _word = new byte[2];
    private I2cDevice? _device;

    private Ina219Monitor(string name, ChipLink<I2cDevice> link, float shuntOhms, ushort configuration)
        : base(name, link, ["voltage", "current", "power"], [])
    {
        _shuntOhms = shuntOhms;
        _configuration = configuration;
    }

    protected override string Chip => "INA219";

    /// <summary>The value written to the configuration register (for tests and for a reader of the datasheet).</summary>
    public ushort Configuration => _configuration;

    /// <summary>
    /// Settings: bus, address (0x40), period_ms (10), retries, shunt_ohms (default 0.1, the common breakout's),
    /// max_current_a (default 3.2: sets the gain, the smallest shunt range holding max_current × shunt_ohms),
    /// bus_range_v (16 or 32, default 32), samples (averaged per reading: 1, 2, 4 … 128, default 1).
    /// </summary>
    public static IDevice FromConfig(DeviceConfig config, BoardBuses buses)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown([.. ChipLinks.I2cFields, "shunt_ohms", "max_current_a", "bus_range_v", "samples"]);
        double shunt = settings.Number("shunt_ohms", 0.1, 0.0001, 100);
        double maxCurrent = settings.Number("max_current_a", 3.2, 0.001, 1000);
        // PG, bits 12–11: ±40, ±80, ±160, ±320 mV full scale (§8.6.2.1).
        double[] shuntRanges = [0.040, 0.080, 0.160, 0.320];
        // Rounded to the nanovolt: 3.2 A × 0.1 Ω is 0.32000000000000006 V in binary floating point.
        double drop = Math.Round(maxCurrent * shunt, 9);
        int gain = Array.FindIndex(shuntRanges, r => drop <= r);
        if (gain < 0)
        {
            throw new DeviceSettingsException("max_current_a", $"{maxCurrent} A through {shunt} Ω drops {drop * 1000:0.#} mV, beyond the INA219's ±320 mV: use a smaller shunt");
        }
        int busRange = settings.OneOf("bus_range_v", 32, (16, 0), (32, BusRange32V));
        // BADC, bits 10–7, and SADC, bits 6–3 (§8.6.2.1): 0b0011 is one 12-bit conversion, 0b1001–0b1111 average 2–128 of them.
        int adc = settings.OneOf("samples", 1, (1, 0b0011), (2, 0b1001), (4, 0b1010), (8, 0b1011), (16, 0b1100), (32, 0b1101), (64, 0b1110), (128, 0b1111));
        ushort configuration = (ushort)(busRange | gain << 11 | adc << 7 | adc << 3 | ShuntAndBusContinuous);
        return new Ina219Monitor(config.Name!, ChipLinks.I2c(settings, buses, DefaultAddress, defaultPeriodMs: 10), (float)shunt, configuration);
    }

    protected override void Connect(I2cDevice device)
    {
        _device = device;
        // The INA219 has no ID register: a chip that resets to the power-on configuration is taken to be one.
        WriteRegister(ConfigurationRegister, Reset);
        ushort afterReset = ReadRegister(ConfigurationRegister);
        if (afterReset != PowerOnConfiguration)
        {
            throw new IOException($"after a reset its configuration register reads 0x{afterReset:X4}, not the INA219's 0x{PowerOnConfiguration:X4}");
        }
        WriteRegister(ConfigurationRegister, _configuration);
    }

    protected override void ReadInputs(Span<float> inputs)
    {
        float shuntVolts = (short)ReadRegister(ShuntVoltageRegister) * ShuntVoltsPerBit;
        float busVolts = (ReadRegister(BusVoltageRegister) >> 3) * BusVoltsPerBit;
        float current = shuntVolts / _shuntOhms;
        inputs[0] = busVolts;
        inputs[1] = current;
        inputs[2] = busVolts * current;
    }

    protected override void Disconnect() => _device = null;

    // Registers are 16 bits, most significant byte first (§8.5.6).
    private ushort ReadRegister(byte register)
    {
        _pointer[0] = register;
        _device!.WriteRead(_pointer, _word);
        return BinaryPrimitives.ReadUInt16BigEndian(_word);
    }

    private void WriteRegister(byte register, ushort value)
    {
        Span<byte> write = stackalloc byte[3];
        write[0] = register;
        BinaryPrimitives.WriteUInt16BigEndian(write[1..], value);
        _device!.Write(write);
    }
}
