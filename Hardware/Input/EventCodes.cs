using System.Text.Json;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Input;

/// <summary>
/// Event types and codes, with the numbers of linux/input-event-codes.h, and the names a config may give them
/// (the header's, in any case: "ABS_X", "BTN_SOUTH", "KEY_W"). Any other code is given as its number.
/// </summary>
internal static class EventCodes
{
    /// <summary>EV_SYN: frame markers.</summary>
    public const ushort SyncType = 0x00;

    /// <summary>EV_KEY: keys and buttons; value 0 released, 1 pressed, 2 auto-repeat (Documentation/input/input.rst).</summary>
    public const ushort KeyType = 0x01;

    /// <summary>EV_ABS: absolute axes; value the axis's new position.</summary>
    public const ushort AbsoluteType = 0x03;

    /// <summary>SYN_REPORT: the events since the last one are one snapshot of the device (Documentation/input/event-codes.rst).</summary>
    public const ushort SyncReport = 0;

    /// <summary>SYN_DROPPED: the kernel's buffer for this reader overflowed and events were lost (event-codes.rst).</summary>
    public const ushort SyncDropped = 3;

    /// <summary>ABS_MAX: the highest axis code.</summary>
    public const int AbsoluteMax = 0x3f;

    /// <summary>KEY_MAX: the highest key or button code.</summary>
    public const int KeyMax = 0x2ff;

    private static readonly Dictionary<string, int> Axes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ABS_X"] = 0x00, ["ABS_Y"] = 0x01, ["ABS_Z"] = 0x02,
        ["ABS_RX"] = 0x03, ["ABS_RY"] = 0x04, ["ABS_RZ"] = 0x05,
        ["ABS_HAT0X"] = 0x10, ["ABS_HAT0Y"] = 0x11,
    };

    private static readonly Dictionary<string, int> Keys = new(StringComparer.OrdinalIgnoreCase)
    {
        // Gamepad buttons (Documentation/input/gamepad.rst names them by position: south is the lower face button).
        ["BTN_SOUTH"] = 0x130, ["BTN_EAST"] = 0x131, ["BTN_NORTH"] = 0x133, ["BTN_WEST"] = 0x134,
        ["BTN_TL"] = 0x136, ["BTN_TR"] = 0x137, ["BTN_TL2"] = 0x138, ["BTN_TR2"] = 0x139,
        ["BTN_SELECT"] = 0x13a, ["BTN_START"] = 0x13b, ["BTN_MODE"] = 0x13c, ["BTN_THUMBL"] = 0x13d, ["BTN_THUMBR"] = 0x13e,
        // Keyboard keys: codes follow the keyboard's rows, not the alphabet.
        ["KEY_ESC"] = 1, ["KEY_SPACE"] = 57,
        ["KEY_Q"] = 16, ["KEY_W"] = 17, ["KEY_E"] = 18, ["KEY_R"] = 19, ["KEY_T"] = 20,
        ["KEY_Y"] = 21, ["KEY_U"] = 22, ["KEY_I"] = 23, ["KEY_O"] = 24, ["KEY_P"] = 25,
        ["KEY_A"] = 30, ["KEY_S"] = 31, ["KEY_D"] = 32, ["KEY_F"] = 33, ["KEY_G"] = 34,
        ["KEY_H"] = 35, ["KEY_J"] = 36, ["KEY_K"] = 37, ["KEY_L"] = 38,
        ["KEY_Z"] = 44, ["KEY_X"] = 45, ["KEY_C"] = 46, ["KEY_V"] = 47, ["KEY_B"] = 48, ["KEY_N"] = 49, ["KEY_M"] = 50,
        ["KEY_UP"] = 103, ["KEY_LEFT"] = 105, ["KEY_RIGHT"] = 106, ["KEY_DOWN"] = 108,
    };

    /// <summary>An axis code from a setting (a name or a number) and the name its channel takes.</summary>
    /// <exception cref="DeviceSettingsException">Neither a known name nor a number from 0 to ABS_MAX.</exception>
    public static (int Code, string Name) Axis(JsonElement value, string field) => Parse(value, field, Axes, AbsoluteMax, "ABS");

    /// <summary>A key or button code from a setting (a name or a number) and the name its channel takes.</summary>
    /// <exception cref="DeviceSettingsException">Neither a known name nor a number from 0 to KEY_MAX.</exception>
    public static (int Code, string Name) Key(JsonElement value, string field) => Parse(value, field, Keys, KeyMax, "KEY");

    private static (int, string) Parse(JsonElement value, string field, Dictionary<string, int> names, int max, string prefix)
    {
        if (value.ValueKind == JsonValueKind.String && names.TryGetValue(value.GetString()!, out int code))
        {
            return (code, value.GetString()!.ToUpperInvariant());
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out code) && code >= 0 && code <= max)
        {
            string? name = names.FirstOrDefault(n => n.Value == code).Key;
            return (code, name ?? $"{prefix}_{code}");
        }
        string problem = value.ValueKind switch
        {
            JsonValueKind.Undefined => "required:",
            JsonValueKind.String => $"'{value.GetString()}' is not",
            _ => "must be",
        };
        throw new DeviceSettingsException(field, $"{problem} one of {string.Join(", ", names.Keys)}, or a number from 0 to {max} (linux/input-event-codes.h)");
    }
}
