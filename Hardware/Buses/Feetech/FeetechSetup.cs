namespace Robotics.Hardware.Buses.Feetech;

/// <summary>
/// What the <c>feetech-sts</c> device checks and sets on open (see <see cref="ServoSetup"/>), from the STS3215 memory
/// table (Feetech; the EPROM and SRAM sections of scservo_sdk's SMS_STS constants): EEPROM area 0–39, SRAM from
/// Torque Enable (40). Values written to the EEPROM area stay past power-off only while the Lock flag is 0.
/// </summary>
public static class FeetechSetup
{
    public static readonly ServoSetupTable Table = new(
        Family: "Feetech STS",
        // Two bytes at 3 and 4 (SMS_STS_MODEL_L/H), read as one little-endian number as LeRobot's Feetech tables do.
        ModelNumber: new ServoRegister("Model Number", 3, 2),
        // LeRobot's Feetech tables (MODEL_NUMBER_TABLE): the STS3215 of the SO-100 and SO-101 arms.
        Supported: new Dictionary<int, string> { [777] = "STS3215" },
        // Same tables: the SCS0009's is the SCS one (1,024 positions, Lock at 48), the SM8512BL's has 65,536 positions.
        Unsupported: new Dictionary<int, string> { [1284] = "SCS0009", [11272] = "SM8512BL" },
        Settings:
        [
            // Response Status Level (8): 1 answers every instruction; 0 answers Read and Ping only.
            new ServoSetting(new ServoRegister("Response Status Level", 8, 1), 1),
            // Return Delay Time (7): in 2 µs units before each answer; LeRobot sets 0 too, as 250 costs 500 µs.
            new ServoSetting(new ServoRegister("Return Delay Time", 7, 1), 0),
            // Operating Mode (33): 0 is position servo mode (1 constant speed, 2 PWM, 3 step).
            new ServoSetting(new ServoRegister("Operating Mode", 33, 1), 0),
        ],
        // Min/Max Angle Limit (9, 11), 2 bytes each, 0–4,095 (both 0: multi-turn, no limits). A goal beyond them is
        // held at the nearer limit (STS3215 behaviour reported on LeRobot's tracker, "writing goal positions outside of min / max").
        MinPosition: new ServoRegister("Min Angle Limit", 9, 2),
        MaxPosition: new ServoRegister("Max Angle Limit", 11, 2),
        PositionMax: 4095,
        // Lock (55): 0 lets EEPROM writes stay past power-off, 1 keeps them for this power cycle only (scservo_sdk's
        // unLockEprom and LockEprom).
        Lock: new ServoLock(new ServoRegister("Lock", 55, 1), Unlocked: 0, Locked: 1));
}
