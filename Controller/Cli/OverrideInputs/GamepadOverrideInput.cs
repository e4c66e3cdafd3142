using System.Buffers.Binary;
using Robotics.Hardware.Input;

namespace Robotics.Controller.Cli.OverrideInputs;

/// <summary>
/// Commands from a gamepad through the Linux joystick interface (/dev/input/jsN; kernel
/// Documentation/input/joydev/joystick-api.rst): axis i drives action i across its range, centred with the
/// stick; a 5% dead zone keeps a released stick at the centre (the same mapping as the evdev device's axes);
/// for a discrete robot button n picks action n.
/// Events are read on a thread of their own; an unplugged gamepad simply stops commanding, and the robot's
/// stale window takes over.
/// </summary>
internal sealed class GamepadOverrideInput : IOverrideInput
{
    // struct js_event { __u32 time; __s16 value; __u8 type; __u8 number; } — 8 bytes.
    private const int EventSize = 8;
    private const byte ButtonEvent = 0x01;
    private const byte AxisEvent = 0x02;
    private const byte InitialState = 0x80;

    // joystick-api.rst: an axis event's value runs from -32767 to +32767.
    private static readonly AxisRange Stick = new(-32767, 32767, Deadzone: 0.05f, Invert: false);

    private readonly ActionSpace _space;
    private readonly FileStream _device;
    private readonly float[] _axes = new float[16];
    private readonly Thread _reader;
    private volatile int _chosen = -1;

    public GamepadOverrideInput(string path, ActionSpace space)
    {
        _space = space;
        try
        {
            _device = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--source gamepad: cannot open {path} ({e.Message}); is a joystick plugged in, and may this user read it?", e);
        }
        _reader = new Thread(Read) { IsBackground = true, Name = "gamepad" };
        _reader.Start();
    }

    public bool TryNext(TimeSpan elapsed, Span<float> action)
    {
        if (_space.Names.Count == 1 && _space.Max[0] - _space.Min[0] >= 1 && _chosen >= 0)
        {
            action[0] = Math.Clamp(_chosen, _space.Min[0], _space.Max[0]);
            return true;
        }
        for (int i = 0; i < action.Length; i++)
        {
            float stick = i < _axes.Length ? Volatile.Read(ref _axes[i]) : 0;
            float half = (_space.Max[i] - _space.Min[i]) / 2;
            action[i] = _space.Center(i) + stick * half;
        }
        return true;
    }

    public void Dispose() => _device.Dispose();

    private void Read()
    {
        var buffer = new byte[EventSize];
        try
        {
            while (_device.Read(buffer) == EventSize)
            {
                short value = BinaryPrimitives.ReadInt16LittleEndian(buffer.AsSpan(4));
                byte type = (byte)(buffer[6] & ~InitialState);
                byte number = buffer[7];
                if (type == AxisEvent && number < _axes.Length)
                {
                    Volatile.Write(ref _axes[number], Stick.Normalise(value));
                }
                else if (type == ButtonEvent && value != 0)
                {
                    _chosen = number;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Unplugged or closed: the operator's commands stop, and the robot's stale window takes over.
        }
    }
}
