using System.Buffers.Binary;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>
/// The <c>dynamixel</c> device: a chain of Dynamixel X-series servos (XL330, XL430, XM430: the Koch arm, the
/// OpenManipulator) on one Protocol 2.0 bus, served by its own thread. Each period: one sync read of every
/// servo's present velocity and position, one sync write of every goal position. Channels are raw control-table
/// units, which the config's scale and offset turn into SI units: <c>ID.position</c> (0–4095 per turn, 2048 at
/// the centre), <c>ID.velocity</c> (0.229 rpm per unit), <c>ID.goal_position</c>.
/// Torque goes on when the loop starts, after each goal is set to where the servo is (so nothing jumps), and off
/// on halt, e-stop and stop. An adapter that disappears is reopened when it comes back.
/// </summary>
public sealed class DynamixelServos : PolledDevice
{
    public const string Type = "dynamixel";

    // X-series control table, RAM area (e-Manual, XL330-M288 and XM430-W350 control tables).
    private const ushort TorqueEnable = 64;
    private const ushort GoalPosition = 116;
    // Present Velocity (4 bytes) at 128 is followed by Present Position (4 bytes) at 132: one read of 8.
    private const ushort PresentVelocity = 128;
    private const ushort PresentLength = 8;
    private static readonly TimeSpan ReopenInterval = TimeSpan.FromMilliseconds(500);

    private readonly string _port;
    private readonly int _baud;
    private readonly byte[] _ids;
    private readonly TimeSpan _timeout;
    private readonly int _retries;
    private readonly byte[] _present;
    private readonly byte[] _goals;
    private readonly byte[] _torqueOn;
    private readonly byte[] _torqueOff;
    private DynamixelBus? _bus;
    private bool _torque;
    private long _nextReopen;
    private long _reopens;

    public DynamixelServos(string name, string port, int baud, byte[] ids, TimeSpan period, TimeSpan timeout, int retries)
        : base(name, [.. ids.SelectMany(id => new[] { $"{id}.position", $"{id}.velocity" })], [.. ids.Select(id => $"{id}.goal_position")], period)
    {
        _port = port;
        _baud = baud;
        _ids = ids;
        _timeout = timeout;
        _retries = retries;
        _present = new byte[ids.Length * PresentLength];
        _goals = new byte[ids.Length * 4];
        _torqueOn = [.. ids.Select(_ => (byte)1)];
        _torqueOff = new byte[ids.Length];
    }

    /// <summary>Times the adapter was found again after it went away.</summary>
    public long Reopens => Interlocked.Read(ref _reopens);

    /// <summary>Builds the device from a config entry: settings port, baud (default 1,000,000), ids, period_ms (5), timeout_ms (10), retries (2).</summary>
    public static IDevice FromConfig(DeviceConfig config)
    {
        var settings = new DeviceSettings(config.Settings);
        return new DynamixelServos(
            config.Name!,
            settings.RequiredString("port"),
            settings.WholeNumber("baud", 1_000_000, 9600, 4_500_000),
            settings.Bytes("ids", 0, 252),
            TimeSpan.FromMilliseconds(settings.WholeNumber("period_ms", 5, 1, 1000)),
            TimeSpan.FromMilliseconds(settings.WholeNumber("timeout_ms", 10, 1, 1000)),
            settings.WholeNumber("retries", 2, 0, 10));
    }

    /// <summary>Opens the bus and checks every servo answers: a robot does not start with one missing.</summary>
    protected override void Open()
    {
        _bus = new DynamixelBus(_port, _baud, _timeout, _retries);
        foreach (byte id in _ids)
        {
            _bus.Ping(id);
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
            _bus!.SyncRead(PresentVelocity, PresentLength, _ids, _present);
        }
        catch (ServoBusException e)
        {
            Lost(e);
            return false;
        }
        for (int i = 0; i < _ids.Length; i++)
        {
            var servo = _present.AsSpan(i * PresentLength);
            inputs[2 * i] = BinaryPrimitives.ReadInt32LittleEndian(servo[4..]);
            inputs[2 * i + 1] = BinaryPrimitives.ReadInt32LittleEndian(servo);
        }
        return true;
    }

    protected override bool Send(ReadOnlySpan<float> outputs)
    {
        if (_bus is null)
        {
            return false;
        }
        for (int i = 0; i < _ids.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_goals.AsSpan(4 * i), (int)MathF.Round(outputs[i]));
        }
        try
        {
            _bus.SyncWrite(GoalPosition, 4, _ids, _goals);
            if (!_torque)
            {
                // Torque on only once a goal is in place: the servos hold where they are told, not an old goal.
                _bus.SyncWrite(TorqueEnable, 1, _ids, _torqueOn);
                _torque = true;
            }
            return true;
        }
        catch (ServoBusException e)
        {
            Lost(e);
            return false;
        }
    }

    protected override void SendSafe()
    {
        if (!_torque || _bus is null)
        {
            return;
        }
        try
        {
            _bus.SyncWrite(TorqueEnable, 1, _ids, _torqueOff);
            _torque = false;
        }
        catch (ServoBusException e)
        {
            Lost(e);
        }
    }

    protected override void Close()
    {
        _bus?.Dispose();
        _bus = null;
    }

    /// <summary>A port fault means the adapter is gone: close it and try again every half second.</summary>
    private void Lost(ServoBusException e)
    {
        if (e.Fault != ServoBusFault.Port)
        {
            return;
        }
        Close();
        _torque = false;
        _nextReopen = Environment.TickCount64 + (long)ReopenInterval.TotalMilliseconds;
    }

    private bool TryReopen()
    {
        if (Environment.TickCount64 < _nextReopen || !File.Exists(_port))
        {
            return false;
        }
        _nextReopen = Environment.TickCount64 + (long)ReopenInterval.TotalMilliseconds;
        try
        {
            _bus = new DynamixelBus(_port, _baud, _timeout, _retries);
            Interlocked.Increment(ref _reopens);
            return true;
        }
        catch (ServoBusException)
        {
            return false;
        }
    }
}
