namespace Robotics.Hardware.Input;

/// <summary>What an event did to the frame.</summary>
internal enum FrameStep
{
    /// <summary>Changed the frame being built, or nothing.</summary>
    None,

    /// <summary>SYN_REPORT: the frame is complete.</summary>
    Report,

    /// <summary>SYN_DROPPED: events were lost; the frame being built is abandoned.</summary>
    Dropped,

    /// <summary>The SYN_REPORT that ends a drop: the device's whole state should be asked for before committing.</summary>
    ReportAfterDrop,
}

/// <summary>
/// A device's keys and axes as its events build them, one frame at a time: the events between two SYN_REPORTs
/// describe one moment (Documentation/input/event-codes.rst, "EV_SYN"), so they are applied together and a
/// reader never sees a stick's X from one moment with its Y from the one before. After SYN_DROPPED the events
/// up to and including the next SYN_REPORT are ignored (event-codes.rst), and the caller asks the device for its
/// state. Channels are the axes (−1..1), then the keys (1 while pressed), then the key axes (+1, −1 or 0).
/// Nothing allocates per event.
/// </summary>
internal sealed class InputFrame
{
    private readonly AxisRange[] _ranges;
    private readonly int[] _axisCodes;
    private readonly int[] _keyCodes;
    private readonly int[] _axisByCode = new int[EventCodes.AbsoluteMax + 1];
    private readonly int[] _keyByCode = new int[EventCodes.KeyMax + 1];
    private readonly int[] _keyChannels;
    private readonly (int Positive, int Negative)[] _keyAxes;
    private readonly float[] _axes;
    private readonly float[] _committedAxes;
    private readonly bool[] _pressed;
    private readonly bool[] _committedPressed;
    private bool _dropping;

    public InputFrame(EvdevSettings settings)
    {
        _axisCodes = [.. settings.Axes.Select(a => a.Code)];
        // An axis without a configured range gets the device's (SetRange) before its first event is applied.
        _ranges = [.. settings.Axes.Select(a => new AxisRange(a.Min ?? 0, a.Max ?? 0, a.Deadzone, a.Invert))];
        // Every key read, once, whether it is a channel of its own or half of a key axis.
        _keyCodes = [.. settings.Keys.Select(k => k.Code).Concat(settings.KeyAxes.SelectMany(k => new[] { k.Positive, k.Negative })).Distinct()];
        _keyChannels = [.. settings.Keys.Select(k => Array.IndexOf(_keyCodes, k.Code))];
        _keyAxes = [.. settings.KeyAxes.Select(k => (Array.IndexOf(_keyCodes, k.Positive), Array.IndexOf(_keyCodes, k.Negative)))];
        Array.Fill(_axisByCode, -1);
        Array.Fill(_keyByCode, -1);
        for (int i = 0; i < _axisCodes.Length; i++)
        {
            _axisByCode[_axisCodes[i]] = i;
        }
        for (int i = 0; i < _keyCodes.Length; i++)
        {
            _keyByCode[_keyCodes[i]] = i;
        }
        _axes = new float[_axisCodes.Length];
        _committedAxes = new float[_axisCodes.Length];
        _pressed = new bool[_keyCodes.Length];
        _committedPressed = new bool[_keyCodes.Length];
        Width = _axes.Length + _keyChannels.Length + _keyAxes.Length;
    }

    /// <summary>The number of channels.</summary>
    public int Width { get; }

    /// <summary>The axes' codes, by axis.</summary>
    public IReadOnlyList<int> AxisCodes => _axisCodes;

    /// <summary>The codes of every key read, by key slot.</summary>
    public IReadOnlyList<int> KeyCodes => _keyCodes;

    /// <summary>An axis's raw range, as the device reports it.</summary>
    public void SetRange(int axis, int min, int max) => _ranges[axis] = _ranges[axis] with { Min = min, Max = max };

    /// <summary>Applies one event to the frame being built.</summary>
    public FrameStep Apply(ushort type, ushort code, int value)
    {
        if (type == EventCodes.SyncType)
        {
            if (code == EventCodes.SyncDropped)
            {
                _dropping = true;
                Revert();
                return FrameStep.Dropped;
            }
            if (code == EventCodes.SyncReport)
            {
                bool dropped = _dropping;
                _dropping = false;
                return dropped ? FrameStep.ReportAfterDrop : FrameStep.Report;
            }
            return FrameStep.None;
        }
        if (_dropping)
        {
            return FrameStep.None;
        }
        if (type == EventCodes.AbsoluteType && code <= EventCodes.AbsoluteMax && _axisByCode[code] is >= 0 and int axis)
        {
            SetAxis(axis, value);
        }
        else if (type == EventCodes.KeyType && code <= EventCodes.KeyMax && _keyByCode[code] is >= 0 and int key)
        {
            // 0 released, 1 pressed, 2 auto-repeat while held (Documentation/input/input.rst).
            _pressed[key] = value != 0;
        }
        return FrameStep.None;
    }

    /// <summary>Sets an axis from its raw value in the frame being built.</summary>
    public void SetAxis(int axis, int raw) => _axes[axis] = _ranges[axis].Normalise(raw);

    /// <summary>Sets a key in the frame being built.</summary>
    public void SetKey(int key, bool pressed) => _pressed[key] = pressed;

    /// <summary>Every key up and every axis centred, in the frame being built: a device just opened, before it reports otherwise.</summary>
    public void Release()
    {
        Array.Clear(_axes);
        Array.Clear(_pressed);
    }

    /// <summary>The frame being built becomes the device's state.</summary>
    public void Commit()
    {
        _axes.CopyTo(_committedAxes, 0);
        _pressed.CopyTo(_committedPressed, 0);
    }

    /// <summary>The frame being built is dropped: back to the last committed state.</summary>
    public void Revert()
    {
        _committedAxes.CopyTo(_axes, 0);
        _committedPressed.CopyTo(_pressed, 0);
    }

    /// <summary>The committed state as channels.</summary>
    public void Write(Span<float> channels)
    {
        _committedAxes.CopyTo(channels);
        int at = _committedAxes.Length;
        foreach (int key in _keyChannels)
        {
            channels[at++] = _committedPressed[key] ? 1 : 0;
        }
        foreach (var (positive, negative) in _keyAxes)
        {
            channels[at++] = (_committedPressed[positive] ? 1 : 0) - (_committedPressed[negative] ? 1 : 0);
        }
    }
}
