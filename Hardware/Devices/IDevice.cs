namespace Robotics.Hardware.Devices;

/// <summary>
/// One piece of hardware on the robot (a servo bus, an IMU, a PWM board), with named input channels it
/// measures and output channels it drives. The loop reaches it only through these non-blocking calls: slow
/// devices poll on their own threads (see <see cref="PolledDevice"/>) and hand over their latest sample.
/// </summary>
public interface IDevice : IDisposable
{
    string Name { get; }

    /// <summary>What it measures, e.g. "1.position".</summary>
    IReadOnlyList<string> Inputs { get; }

    /// <summary>What it drives, e.g. "1.goal_position".</summary>
    IReadOnlyList<string> Outputs { get; }

    /// <summary>Opens the bus, starts polling, enables outputs. Called once, before the loop's first tick.</summary>
    void Start();

    /// <summary>
    /// Copies the latest sample of every input into <paramref name="inputs"/> and returns when it was taken
    /// (monotonic ns), or <see cref="long.MinValue"/> when it has none to give: before the first one, or when the
    /// read lost its race with the device's thread (then <paramref name="inputs"/> may hold a torn copy). Never blocks.
    /// </summary>
    long ReadLatest(Span<float> inputs);

    /// <summary>Hands over the outputs to send (now, or on the device's thread). Never blocks.</summary>
    void WriteOutputs(ReadOnlySpan<float> outputs);

    /// <summary>Safe state now (torque off, PWM neutral). Thread-safe: the watchdog calls it.</summary>
    void Halt();

    /// <summary>
    /// Whether it is in its safe state since the latest <see cref="Halt"/>: sent, and confirmed by the hardware where
    /// the device can read it back. Any thread. A device with no outputs is always safe.
    /// </summary>
    bool IsSafe => Outputs.Count == 0;

    /// <summary>Leaves the safe state after an emergency stop is released. Thread-safe.</summary>
    void Resume();

    /// <summary>Safe state, then stop polling and close the bus.</summary>
    void Stop();

    /// <summary>
    /// The longest its samples may be apart on a sound bus that loses one transaction: the sampling period plus what
    /// the driver's retry costs. A source whose <c>max_age_ms</c> is below it turns one lost answer into a
    /// stale-sensor fault; <c>controller check</c> says so.
    /// </summary>
    TimeSpan WorstSampleGap { get; }

    /// <summary>
    /// Whether its halts were confirmed by the hardware (servos that read torque off back, say). Any thread;
    /// allocates: not for the loop. A device that cannot tell reports <see cref="HaltConfirmation.Unknown"/>.
    /// </summary>
    HaltConfirmation HaltConfirmation => HaltConfirmation.Unknown;

    /// <summary>
    /// One line per thing the device could not do as asked (a board that applies no output timeout, say), known
    /// once it has started; the commands show them as warnings.
    /// </summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Health counters by name (polls, errors, retries...), for telemetry. Any thread; allocates: not for the loop.</summary>
    IReadOnlyDictionary<string, long> Counters { get; }
}
