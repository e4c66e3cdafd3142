using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses;

/// <summary>Where a servo family keeps what a chain reads and commands each period.</summary>
/// <param name="TorqueEnable">Address of the one-byte torque switch.</param>
/// <param name="Goal">Address of the goal position.</param>
/// <param name="GoalWidth">Its width in bytes.</param>
/// <param name="Present">Address of the block holding present position and velocity, read in one go.</param>
/// <param name="PresentLength">That block's length.</param>
public sealed record ServoTable(ushort TorqueEnable, ushort Goal, int GoalWidth, ushort Present, int PresentLength);

/// <summary>The settings every servo chain takes (docs/robot-config.md, "Drivers").</summary>
/// <param name="BusWatchdog">How long the servos may hear nothing before they stop themselves (zero: off, or the family has none).</param>
/// <param name="Halt">What halt, emergency stop, fault and stop do with the servos, and how long their confirmation may take.</param>
public sealed record ServoChainSettings(string Port, int Baud, byte[] Ids, TimeSpan Period, TimeSpan Timeout, int Retries, TimeSpan BusWatchdog, ServoHaltPolicy Halt)
{
    /// <summary>The Bus Watchdog's unit (X-series control table, Bus Watchdog (98): 1–127 × 20 ms).</summary>
    public const int BusWatchdogUnitMs = 20;

    /// <summary>
    /// port, baud (default 1,000,000), ids, period_ms (5), timeout_ms (10), retries (2), the halt (<see cref="ServoHaltPolicy"/>);
    /// with a bus watchdog, bus_watchdog_ms (100).
    /// </summary>
    public static ServoChainSettings From(DeviceConfig config, bool hasBusWatchdog = false)
    {
        var settings = new DeviceSettings(config.Settings);
        string[] known = ["port", "baud", "ids", "period_ms", "timeout_ms", "retries", .. ServoHaltPolicy.Fields];
        settings.OnlyKnown(hasBusWatchdog ? [.. known, "bus_watchdog_ms"] : known);
        int watchdogMs = hasBusWatchdog ? settings.WholeNumber("bus_watchdog_ms", 100, 0, 127 * BusWatchdogUnitMs) : 0;
        if (watchdogMs % BusWatchdogUnitMs != 0)
        {
            throw new DeviceSettingsException(settings.Field("bus_watchdog_ms"),
                $"must be 0 (off) or a multiple of {BusWatchdogUnitMs} ms up to {127 * BusWatchdogUnitMs}, got {watchdogMs}");
        }
        byte[] ids = settings.Bytes("ids", 0, 252);
        return new ServoChainSettings(
            settings.RequiredString("port"),
            settings.WholeNumber("baud", 1_000_000, 9600, 4_500_000),
            ids,
            TimeSpan.FromMilliseconds(settings.WholeNumber("period_ms", 5, 1, 1000)),
            TimeSpan.FromMilliseconds(settings.WholeNumber("timeout_ms", 10, 1, 1000)),
            settings.WholeNumber("retries", 2, 0, 10),
            TimeSpan.FromMilliseconds(watchdogMs),
            ServoHaltPolicy.From(settings, ids.Length));
    }
}

/// <summary>
/// A chain of servos on one bus as a device, on its own thread. Each period: one sync read of every servo's
/// present position and velocity, one sync write of every goal. Channels are raw control-table units, which
/// the config's scale and offset turn into SI units: <c>ID.position</c>, <c>ID.velocity</c>, <c>ID.goal_position</c>.
/// Torque goes on only once goals are written (so nothing jumps to an old goal) and off on halt, e-stop and
/// stop. An adapter that disappears is reopened when it comes back. Opening checks each servo's model and sets it
/// up (<see cref="ServoSetup"/>), with position limits for the outputs the robot drives (<see cref="IOutputLimits"/>).
/// The protocol and the control table are the subclass's.
/// </summary>
public abstract class ServoChain : PolledDevice, IOutputLimits
{
    /// <summary>The least time an answer is awaited while the bus opens.</summary>
    private static readonly TimeSpan OpeningTimeout = TimeSpan.FromMilliseconds(100);

    private readonly ServoChainSettings _settings;
    private readonly ServoTable _table;
    private readonly ServoSetup _setup;
    // Per servo, the raw range its goals are sent over; null for one no action drives.
    private readonly (double Min, double Max)?[] _ranges;
    private readonly byte[] _present;
    private readonly byte[] _goals;
    private readonly byte[] _torqueOn;
    private readonly float[] _positions;
    private readonly ServoChainHalt _halt;
    private readonly Action<float, Span<byte>> _encodeGoal;
    private readonly ReopenSchedule _reopen = new();
    private ServoBus? _bus;
    // Torque was turned on since the last halt: the next goals need no torque-on write.
    private bool _torqueOnSent;
    // Torque may be on somewhere on the chain: set when this device turns it on, cleared only when every servo has
    // read back torque off. A chain never driven (a leader arm) is never written at all.
    private bool _torqueMayBeOn;
    // The latest halt try confirmed the halt on every servo (or there was nothing to halt).
    private bool _safeConfirmed = true;
    // What buses closed since the device started counted: a bus's own counters end with it (a pulled adapter, Stop).
    private long _closedRetried;
    private long _closedFailed;
    private long _closedAlerts;

    protected ServoChain(string name, ServoChainSettings settings, ServoTable table, ServoSetupTable setup)
        : base(name, [.. settings.Ids.SelectMany(id => new[] { $"{id}.position", $"{id}.velocity" })], [.. settings.Ids.Select(id => $"{id}.goal_position")], settings.Period)
    {
        _settings = settings;
        _table = table;
        _setup = new ServoSetup(name, setup, table.TorqueEnable);
        _ranges = new (double, double)?[settings.Ids.Length];
        _present = new byte[settings.Ids.Length * table.PresentLength];
        _goals = new byte[settings.Ids.Length * table.GoalWidth];
        _torqueOn = [.. settings.Ids.Select(_ => (byte)1)];
        _positions = new float[settings.Ids.Length];
        _halt = new ServoChainHalt(settings.Halt, table, settings.Ids);
        _encodeGoal = EncodeGoal;
    }

    /// <summary>A lost or spoilt answer: the answer timeout, then as long again of quiet line before the retry (see ServoBus).</summary>
    protected override TimeSpan RetryCost => 2 * _settings.Timeout;

    /// <summary>Times the adapter was found again after it went away.</summary>
    public long Reopens => _reopen.Reopens;

    /// <summary>
    /// The bus's counters since the device started, across reopens and after <see cref="PolledDevice.Stop"/> (so
    /// <c>controller check</c> reports the watch it just did), and the reopens.
    /// </summary>
    protected override void AddCounters(Dictionary<string, long> counters)
    {
        // Read from a telemetry thread while the device thread counts: each value is a whole long, if not the very
        // latest. A bus being closed drops out before its counts join the totals: a moment's undercount, never a double one.
        var bus = Volatile.Read(ref _bus);
        counters["retried"] = Interlocked.Read(ref _closedRetried) + (bus?.RetriedTransactions ?? 0);
        counters["failed"] = Interlocked.Read(ref _closedFailed) + (bus?.FailedTransactions ?? 0);
        counters["hardware_alerts"] = Interlocked.Read(ref _closedAlerts) + (bus?.HardwareAlerts ?? 0);
        counters["reopens"] = Reopens;
        counters["halt_resends"] = _halt.Resends;
        counters["halt_unconfirmed"] = _halt.UnconfirmedCount;
        counters["halt_overdue"] = _halt.Overdue;
    }

    public override HaltConfirmation HaltConfirmation => new(_halt.Overdue, _halt.Unconfirmed(), _settings.Halt.Describe());

    protected override TimeSpan HaltConfirmBudget => _settings.Halt.ConfirmWithin;

    protected override bool SafeConfirmed => _safeConfirmed;

    /// <summary>Opens the protocol's bus on the port.</summary>
    protected abstract ServoBus OpenBus(ServoChainSettings settings);

    /// <summary>Checks one servo answers.</summary>
    protected abstract void Ping(ServoBus bus, byte id);

    /// <summary>Decodes one servo's present block into position and velocity, in control-table units.</summary>
    protected abstract (float Position, float Velocity) Decode(ReadOnlySpan<byte> present);

    /// <summary>Encodes a goal position for the control table.</summary>
    protected abstract void EncodeGoal(float goal, Span<byte> destination);

    /// <summary>Servo <paramref name="output"/>'s goals will span this range: its position limits are set to it on open.</summary>
    public void LimitOutput(int output, double min, double max) =>
        _ranges[output] = _ranges[output] is { } known ? (Math.Min(known.Min, min), Math.Max(known.Max, max)) : (min, max);

    /// <summary>
    /// Opens the bus, checks every servo answers (a robot does not start with one missing) and is a model the driver
    /// knows, then sets the servos up. The settings are EEPROM items (bar the Dynamixel's Status Return Level) that
    /// outlive a pulled adapter, so a reopen repeats only <see cref="Prepare"/>.
    /// </summary>
    protected override void Open()
    {
        RefuseAPoseBeyondTheLimits();
        _bus = OpenBus(_settings);
        // Nothing waits on the bus while it opens, and answers can come late then: a servo still booting after
        // power-on, a USB adapter's latency timer (FTDI's default is 16 ms), a busy host starting a process. The
        // configured timeout, sized for polling, applies from the first poll.
        _bus.Timeout = _settings.Timeout > OpeningTimeout ? _settings.Timeout : OpeningTimeout;
        foreach (byte id in _settings.Ids)
        {
            Ping(_bus, id);
        }
        _setup.Apply(_bus, _settings.Ids, _ranges);
        Prepare(_bus);
        _bus.Timeout = _settings.Timeout;
    }

    /// <summary>
    /// A halt pose outside a servo's position limits would be refused by the servo (Dynamixel) or held at the limit
    /// (Feetech) at the very moment the robot must be safe: refused at start instead, naming it.
    /// </summary>
    private void RefuseAPoseBeyondTheLimits()
    {
        if (_settings.Halt.Mode != ServoHaltMode.Pose)
        {
            return;
        }
        for (int i = 0; i < _settings.Ids.Length; i++)
        {
            if (_ranges[i] is { } range && (_settings.Halt.Pose[i] < Math.Floor(range.Min) || _settings.Halt.Pose[i] > Math.Ceiling(range.Max)))
            {
                throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{Name}: settings.halt_pose[{i}]: {_settings.Halt.Pose[i]} is outside servo {_settings.Ids[i]}'s position limits {Math.Floor(range.Min):F0}–{Math.Ceiling(range.Max):F0}, which its action's min and max map to: the servo would not go there"));
            }
        }
    }

    /// <summary>Sets up the servos on a bus just opened or reopened (a protocol's bus watchdog, say).</summary>
    protected virtual void Prepare(ServoBus bus)
    {
    }

    /// <summary>Undoes <see cref="Prepare"/> on a clean stop, after the halt, before the bus closes.</summary>
    protected virtual void Release(ServoBus bus)
    {
    }

    protected override void Disarm()
    {
        if (_bus is null)
        {
            return;
        }
        try
        {
            Release(_bus);
        }
        catch (ServoBusException)
        {
            // The stop goes on: the bus is closed next, and a servo that missed this keeps its watchdog.
        }
    }

    protected override bool Poll(Span<float> inputs)
    {
        if (_bus is null && !TryReopen())
        {
            return false;
        }
        try
        {
            _bus!.SyncRead(_table.Present, (ushort)_table.PresentLength, _settings.Ids, _present);
        }
        catch (ServoBusException e)
        {
            Lost(e);
            return false;
        }
        for (int i = 0; i < _settings.Ids.Length; i++)
        {
            (inputs[2 * i], inputs[2 * i + 1]) = Decode(_present.AsSpan(i * _table.PresentLength, _table.PresentLength));
            _positions[i] = inputs[2 * i];
        }
        return true;
    }

    protected override bool Send(ReadOnlySpan<float> outputs)
    {
        if (_bus is null)
        {
            return false;
        }
        _halt.End();
        for (int i = 0; i < _settings.Ids.Length; i++)
        {
            EncodeGoal(outputs[i], _goals.AsSpan(i * _table.GoalWidth, _table.GoalWidth));
        }
        try
        {
            _bus.SyncWrite(_table.Goal, (ushort)_table.GoalWidth, _settings.Ids, _goals);
            if (!_torqueOnSent)
            {
                // Torque on only once a goal is in place: the servos hold where they are told, not an old goal.
                _torqueMayBeOn = true;
                _bus.SyncWrite(_table.TorqueEnable, 1, _settings.Ids, _torqueOn);
                _torqueOnSent = true;
            }
            return true;
        }
        catch (ServoBusException e)
        {
            Lost(e);
            return false;
        }
    }

    /// <summary>
    /// The halt of the chain's policy (torque off, hold, pose), confirmed by reading it back from every servo: until
    /// each has, every halted period sends it again, so a servo that missed it (off the chain for a moment) gets it as
    /// soon as it is back. Counters: <c>halt_resends</c>, <c>halt_unconfirmed</c> (servos unconfirmed at the latest
    /// try), <c>halt_overdue</c> (halts unconfirmed past <c>halt_confirm_ms</c>).
    /// </summary>
    protected override void SendSafe()
    {
        if (!_torqueMayBeOn)
        {
            // Never driven since the last confirmed torque off (a leader arm): nothing to halt, nothing written.
            _safeConfirmed = true;
            return;
        }
        try
        {
            _safeConfirmed = _halt.Try(_bus, _positions, _encodeGoal);
        }
        catch (ServoBusException e)
        {
            // Unconfirmed, and tried again next halted period.
            _safeConfirmed = false;
            Lost(e);
        }
        if (!_halt.KeepsTorque)
        {
            // A torque-off write may have reached servos that did not confirm it: the next goals turn torque on again.
            _torqueOnSent = false;
            _torqueMayBeOn = !_safeConfirmed;
        }
    }

    protected override void Close()
    {
        var bus = _bus;
        if (bus is null)
        {
            return;
        }
        Volatile.Write(ref _bus, null);
        Interlocked.Add(ref _closedRetried, bus.RetriedTransactions);
        Interlocked.Add(ref _closedFailed, bus.FailedTransactions);
        Interlocked.Add(ref _closedAlerts, bus.HardwareAlerts);
        bus.Dispose();
    }

    /// <summary>A port fault means the adapter is gone: close it and try again every half second.</summary>
    private void Lost(ServoBusException e)
    {
        if (e.Fault != ServoBusFault.Port)
        {
            return;
        }
        Close();
        // Reopened, the next goals turn torque on again; a halt still owed is sent first (see SendSafe).
        _torqueOnSent = false;
        _reopen.Lost();
    }

    private bool TryReopen()
    {
        if (!_reopen.Due(_settings.Port))
        {
            return false;
        }
        try
        {
            _bus = OpenBus(_settings);
            Prepare(_bus);
            _reopen.Reopened();
            return true;
        }
        catch (ServoBusException)
        {
            return false;
        }
    }
}
