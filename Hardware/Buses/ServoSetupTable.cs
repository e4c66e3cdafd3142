namespace Robotics.Hardware.Buses;

/// <summary>One item of a servo's control table: its name as the vendor's table gives it, its address, its width in bytes (little-endian).</summary>
public readonly record struct ServoRegister(string Name, ushort Address, int Width);

/// <summary>An item <see cref="ServoSetup"/> makes hold <paramref name="Value"/>.</summary>
public readonly record struct ServoSetting(ServoRegister Register, int Value);

/// <summary>An EEPROM lock: <paramref name="Unlocked"/> is written before EEPROM items, <paramref name="Locked"/> after.</summary>
public readonly record struct ServoLock(ServoRegister Register, int Unlocked, int Locked);

/// <summary>
/// What a servo family's chain checks and sets on open (<see cref="ServoSetup"/>): the models whose control table the
/// driver knows, the items it makes hold the values it relies on, and where the position limits are.
/// </summary>
/// <param name="Family">The family as errors name it ("Dynamixel X-series").</param>
/// <param name="ModelNumber">Where a servo keeps its model number.</param>
/// <param name="Supported">The model numbers the driver drives, with their names.</param>
/// <param name="Unsupported">Model numbers known to have another control table, named when one is refused.</param>
/// <param name="Settings">Items and the values they must hold, written in this order.</param>
/// <param name="PositionMax">The highest position a limit takes (the lowest is 0): the same range as Goal Position's.</param>
/// <param name="Lock">The family's EEPROM lock, or null for none.</param>
public sealed record ServoSetupTable(
    string Family,
    ServoRegister ModelNumber,
    IReadOnlyDictionary<int, string> Supported,
    IReadOnlyDictionary<int, string> Unsupported,
    IReadOnlyList<ServoSetting> Settings,
    ServoRegister MinPosition,
    ServoRegister MaxPosition,
    int PositionMax,
    ServoLock? Lock);
