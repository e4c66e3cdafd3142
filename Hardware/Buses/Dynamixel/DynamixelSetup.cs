namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>
/// What the <c>dynamixel</c> device checks and sets on open (see <see cref="ServoSetup"/>), from the ROBOTIS e-Manual's
/// X-series control tables: EEPROM area 0–63 (written only with Torque Enable(64) off), RAM area from 64.
/// </summary>
public static class DynamixelSetup
{
    public static readonly ServoSetupTable Table = new(
        Family: "Dynamixel X-series",
        ModelNumber: new ServoRegister("Model Number", 0, 2),
        // The models whose control table is the X-series one these addresses follow: each model's e-Manual control
        // table (Model Number(0), initial value), and ROBOTIS's dynamixel-workbench, dynamixel_item.h.
        Supported: new Dictionary<int, string>
        {
            [1190] = "XL330-M077",
            [1200] = "XL330-M288",
            [1060] = "XL430-W250",
            [1090] = "2XL430-W250",
            [1070] = "XC430-W150",
            [1080] = "XC430-W240",
            [1030] = "XM430-W210",
            [1020] = "XM430-W350",
            [1010] = "XH430-W210",
            [1000] = "XH430-W350",
            [1050] = "XH430-V210",
            [1040] = "XH430-V350",
            [1130] = "XM540-W150",
            [1120] = "XM540-W270",
            [1110] = "XH540-W150",
            [1100] = "XH540-W270",
            [1150] = "XH540-V150",
            [1140] = "XH540-V270",
        },
        // Speaks Protocol 2.0, so it answers the ping, but its table is its own: Torque Enable at 24, positions 0–1,023.
        Unsupported: new Dictionary<int, string> { [350] = "XL-320" },
        Settings:
        [
            // Status Return Level(68), RAM: 2 answers every instruction (0: ping only, 1: ping and read).
            new ServoSetting(new ServoRegister("Status Return Level", 68, 1), 2),
            // Return Delay Time(9): in 2 µs units before each status packet; the initial 250 costs 500 µs per answer.
            new ServoSetting(new ServoRegister("Return Delay Time", 9, 1), 0),
            // Operating Mode(11): 3 is Position Control Mode, a goal within one turn (0–4,095), and the only mode that
            // applies the position limits (Extended and Current-based Position Control Mode ignore them).
            new ServoSetting(new ServoRegister("Operating Mode", 11, 1), 3),
        ],
        // Min/Max Position Limit(52, 48), 4 bytes each, 0–4,095: Goal Position(116) takes values between them; one
        // outside is refused (Protocol 2.0 status error 6, Data Limit Error).
        MinPosition: new ServoRegister("Min Position Limit", 52, 4),
        MaxPosition: new ServoRegister("Max Position Limit", 48, 4),
        PositionMax: 4095,
        Lock: null);
}
