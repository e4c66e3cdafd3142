namespace Robotics.Hardware.Robots;

/// <summary>Why a read could not give the loop a usable observation.</summary>
public enum ReadStatus
{
    Ok,
    /// <summary>A sensor's latest sample is older than its limit (or there is none yet).</summary>
    StaleSensor,
    /// <summary>An emergency-stop input is active, or could not be read in time.</summary>
    EmergencyStop,
}

/// <summary>
/// The robot as the loop drives it, split as ros2_control splits hardware: the loop reads a whole
/// observation and writes a whole action each tick, and never sees a driver. Read and Write are called from
/// the loop thread only and must not block or allocate: slow buses are polled on their own threads and Read
/// takes their latest samples.
/// </summary>
public interface IRobotHardware : IDisposable
{
    RobotDescription Description { get; }

    /// <summary>Connects, starts device threads, enables actuators. Called once before the first tick.</summary>
    void Start();

    /// <summary>
    /// Fills <paramref name="observation"/> with the latest samples in raw units. On a stale sensor, returns
    /// <see cref="ReadStatus.StaleSensor"/> and its index in <paramref name="faultIndex"/>; on an active (or
    /// unreadable) emergency-stop input, <see cref="ReadStatus.EmergencyStop"/> and the input's index, first.
    /// </summary>
    ReadStatus Read(Span<float> observation, long nowNs, out int faultIndex);

    /// <summary>Sends a whole action (already made safe by the loop) to the actuators.</summary>
    void Write(ReadOnlySpan<float> action, long nowNs);

    /// <summary>
    /// Puts every actuator in its safe state now. Thread-safe: the watchdog calls it while the loop thread may
    /// be stalled inside Read or Write.
    /// </summary>
    void Halt();

    /// <summary>Leaves the safe state <see cref="Halt"/> entered, after an operator released an emergency stop. Thread-safe.</summary>
    void Resume();

    /// <summary>Makes the robot safe and disables actuators; the loop calls it once when it stops.</summary>
    void Stop();

    /// <summary>Its devices, for health reports (a simulated robot has none).</summary>
    IReadOnlyList<Devices.IDevice> Devices => [];
}
