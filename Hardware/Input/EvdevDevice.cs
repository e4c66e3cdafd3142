using Robotics.Hardware.Buses;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Input;

/// <summary>
/// A gamepad, joystick or keyboard on the robot, read through the Linux event interface (/dev/input/eventN;
/// Documentation/input/input.rst): a device with input channels only — its axes normalised to −1..1, its keys
/// 1 while pressed, pairs of keys as −1/0/+1 axes — for <c>actions[].teleop</c> sources.
/// <para>
/// Its own thread waits for events (poll, then read) and publishes a sample when a frame ends (SYN_REPORT).
/// A stick held still sends nothing, so while the device is open the thread also republishes the current state
/// every <c>period_ms</c>: the sample stays fresh because the device is there, not because it moves. When the
/// device goes (unplugged), publishing stops, the sample ages past the teleop source's <c>max_age_ms</c> and the
/// robot gets its safe action; the path is tried again every half second and the device reopened when it is
/// back, its keys released and axes centred until it reports (or is asked for) its state.
/// </para>
/// </summary>
public sealed class EvdevDevice : IDevice
{
    public const string Type = "evdev";

    private const int EventsPerRead = 64;

    private readonly EvdevSettings _settings;
    private readonly InputFrame _frame;
    private readonly LatestSample _sample;
    private readonly float[] _channels;
    private readonly byte[] _events = new byte[EventsPerRead * InputEvent.Size];
    private readonly byte[] _keyBitmap = new byte[EventDeviceFile.KeyBitmapSize];
    private readonly int _periodMs;
    private readonly long _periodNs;
    private readonly ManualResetEventSlim _stop = new();
    private readonly ThreadAllocationMeter _allocation = new();
    private EventDeviceFile? _file;
    private Thread? _thread;
    private long _publishedAt;
    private long _eventCount;
    private readonly ReopenSchedule _reopen = new();
    private long _dropped;

    public EvdevDevice(string name, EvdevSettings settings)
    {
        Name = name;
        _settings = settings;
        Inputs = settings.Channels;
        _frame = new InputFrame(settings);
        _sample = new LatestSample(_frame.Width);
        _channels = new float[_frame.Width];
        _periodMs = (int)settings.Period.TotalMilliseconds;
        _periodNs = (long)(settings.Period.TotalMilliseconds * 1e6);
    }

    public string Name { get; }

    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; } = [];

    /// <summary>A held-still device republishes every period; nothing on the wire can be lost and retried.</summary>
    public TimeSpan WorstSampleGap => _settings.Period;

    public IReadOnlyList<string> Notes => [];

    /// <summary>Input events read (every record, SYN_REPORTs included).</summary>
    public long Events => Interlocked.Read(ref _eventCount);

    /// <summary>Times the device was found again after it went away.</summary>
    public long Reopens => _reopen.Reopens;

    /// <summary>SYN_DROPPED events seen: the kernel's buffer overflowed and a frame was lost.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public IReadOnlyDictionary<string, long> Counters =>
        new Dictionary<string, long>(StringComparer.Ordinal) { ["events"] = Events, ["reopens"] = Reopens, ["dropped"] = Dropped, ["allocated_bytes"] = _allocation.Bytes };

    /// <summary>The driver's factory for <see cref="DeviceRegistry"/>.</summary>
    public static IDevice FromConfig(DeviceConfig config) => new EvdevDevice(config.Name!, EvdevSettings.From(config));

    /// <summary>Opens the device (a robot does not start with its gamepad missing), publishes its state, starts the thread.</summary>
    /// <exception cref="IOException">It cannot be opened, grabbed, or asked for an axis's range.</exception>
    public void Start()
    {
        _file = Open();
        Publish(Protos.MonotonicClock.NowNs());
        _thread = new Thread(Run) { IsBackground = true, Name = $"device-{Name}" };
        _thread.Start();
    }

    public long ReadLatest(Span<float> inputs) => _sample.TryRead(inputs);

    /// <summary>Nothing to drive.</summary>
    public void WriteOutputs(ReadOnlySpan<float> outputs)
    {
    }

    /// <summary>Nothing to make safe: the device only reads.</summary>
    public void Halt()
    {
    }

    public void Resume()
    {
    }

    public void Stop()
    {
        _stop.Set();
        _thread?.Join();
        _thread = null;
        _file?.Dispose();
        _file = null;
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    /// <summary>Opens the path, takes the ranges the config leaves to the device, and starts from the device's present state.</summary>
    private EventDeviceFile Open()
    {
        var file = EventDeviceFile.Open(_settings.Path, _settings.Grab);
        try
        {
            for (int i = 0; i < _settings.Axes.Count; i++)
            {
                var axis = _settings.Axes[i];
                if (axis.Min is not null)
                {
                    continue;
                }
                if (!file.TryGetAxis(axis.Code, out _, out int min, out int max) || min >= max)
                {
                    throw new IOException($"{_settings.Path}: the device reports no range for {axis.Channel} (EVIOCGABS); give its min and max in the settings");
                }
                _frame.SetRange(i, min, max);
            }
            _frame.Release();
            if (!Resync(file))
            {
                // Not an input device's ioctls (a FIFO standing in for one): released and centred until events say otherwise.
                _frame.Release();
            }
            _frame.Commit();
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Asks the device for every key's and axis's present state (EVIOCGKEY, EVIOCGABS) into the frame being built.</summary>
    private bool Resync(EventDeviceFile file)
    {
        if (!file.TryGetKeys(_keyBitmap))
        {
            return false;
        }
        for (int key = 0; key < _frame.KeyCodes.Count; key++)
        {
            int code = _frame.KeyCodes[key];
            _frame.SetKey(key, (_keyBitmap[code / 8] & (1 << (code % 8))) != 0);
        }
        for (int axis = 0; axis < _frame.AxisCodes.Count; axis++)
        {
            if (!file.TryGetAxis(_frame.AxisCodes[axis], out int value, out _, out _))
            {
                return false;
            }
            _frame.SetAxis(axis, value);
        }
        return true;
    }

    private void Run()
    {
        while (!_stop.IsSet)
        {
            if (_file is null)
            {
                if (!_stop.Wait(ReopenSchedule.Interval) && _reopen.Due(_settings.Path))
                {
                    TryReopen();
                }
                continue;
            }
            int got = _file.Read(_events, _periodMs);
            if (got == EventDeviceFile.Gone)
            {
                // Unplugged: no more samples, so the loop sees this one age and sends the safe action.
                _file.Dispose();
                _file = null;
                _reopen.Lost();
                continue;
            }
            Process(got / InputEvent.Size);
            long now = Protos.MonotonicClock.NowNs();
            if (now - _publishedAt >= _periodNs)
            {
                // Held still: nothing changed, and the device is still there to say so.
                Publish(now);
            }
            _allocation.Count();
        }
    }

    private void Process(int count)
    {
        Interlocked.Add(ref _eventCount, count);
        for (int i = 0; i < count; i++)
        {
            var record = _events.AsSpan(i * InputEvent.Size, InputEvent.Size);
            switch (_frame.Apply(InputEvent.Type(record), InputEvent.Code(record), InputEvent.Value(record)))
            {
                case FrameStep.Report:
                    _frame.Commit();
                    Publish(Protos.MonotonicClock.NowNs());
                    break;
                case FrameStep.Dropped:
                    Interlocked.Increment(ref _dropped);
                    break;
                case FrameStep.ReportAfterDrop:
                    // event-codes.rst: after the SYN_REPORT that ends a drop, query the device for its state.
                    if (!Resync(_file!))
                    {
                        _frame.Revert();
                    }
                    _frame.Commit();
                    Publish(Protos.MonotonicClock.NowNs());
                    break;
                case FrameStep.None:
                    break;
            }
        }
    }

    private void TryReopen()
    {
        try
        {
            _file = Open();
            _reopen.Reopened();
            Publish(Protos.MonotonicClock.NowNs());
        }
        catch (IOException)
        {
            // Not back yet (or not readable yet: udev sets the node's group just after creating it).
        }
    }

    private void Publish(long now)
    {
        _frame.Write(_channels);
        _sample.Publish(_channels, now);
        _publishedAt = now;
    }
}
