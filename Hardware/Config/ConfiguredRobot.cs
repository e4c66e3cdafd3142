using Robotics.Hardware.Devices;
using Robotics.Hardware.Robots;

namespace Robotics.Hardware.Config;

/// <summary>
/// A robot assembled from a config file: its devices, and the mapping from their channels to the observation
/// and action vectors (with each entry's scale and offset), to a teleoperator's actions when the config has
/// teleop sources (a leader arm, a gamepad), and to its emergency-stop inputs. Read copies every device's latest
/// sample once per tick and checks each entry's age and the stop inputs; Write hands every driven device its
/// outputs. Neither blocks nor allocates.
/// </summary>
public sealed class ConfiguredRobot : IRobotHardware, ITeleopSource, IObservationFreshness
{
    private readonly IDevice[] _devices;
    private readonly float[][] _inputs;
    private readonly float[][] _reading;
    private readonly float[][] _outputs;
    private readonly long[] _sampledAt;
    private readonly (int Device, int Channel, float Scale, float Offset)[] _observations;
    private readonly (int Device, int Channel, float Scale, float Offset)[] _actions;
    private readonly long[] _maxAge;
    private readonly (int Device, int Channel, float Scale, float Offset)[] _teleop;
    private readonly long[] _teleopMaxAge;
    private readonly (int Device, int Channel)[] _emergencyStops;
    private readonly long[] _emergencyStopMaxAge;
    private readonly bool[] _driven;
    private long _readAt;

    /// <param name="limitOutputs">
    /// Whether to tell each device that keeps limits of its own (<see cref="IOutputLimits"/>) its outputs' ranges from
    /// the actions' limits; <c>controller calibrate</c> does not, as it is about to replace them.
    /// </param>
    public ConfiguredRobot(ResolvedConfig config, DeviceRegistry registry, bool limitOutputs = true)
    {
        Description = config.Description;
        var devices = new List<IDevice>();
        try
        {
            for (int i = 0; i < config.Devices.Count; i++)
            {
                devices.Add(registry.Create(config.Devices[i], config.Path, i));
            }
            _devices = [.. devices];
            _inputs = [.. _devices.Select(d => new float[d.Inputs.Count])];
            _reading = [.. _devices.Select(d => new float[d.Inputs.Count])];
            _outputs = [.. _devices.Select(d => new float[d.Outputs.Count])];
            _sampledAt = [.. _devices.Select(_ => long.MinValue)];
            _observations = [.. config.Observations.Select((o, i) => Locate(o.Source, d => d.Inputs, $"observations[{i}].source", config.Path, o.Scale, o.Offset))];
            _actions = [.. config.Actions.Select((a, i) => Locate(a.Target, d => d.Outputs, $"actions[{i}].target", config.Path, a.Scale, a.Offset))];
            if (limitOutputs)
            {
                LimitOutputs(config);
            }
            _maxAge = [.. config.Description.Observations.Select(o => o.MaxAgeNs)];
            var teleop = config.Teleop ?? [];
            _teleop = [.. teleop.Select((t, i) => Locate(t.Source, d => d.Inputs, $"actions[{i}].teleop.source", config.Path, t.Scale, t.Offset))];
            _teleopMaxAge = [.. teleop.Select(t => t.MaxAgeNs)];
            var stops = config.EmergencyStops ?? [];
            _emergencyStops = [.. stops.Select((e, i) => Locate(e.Source, d => d.Inputs, $"emergency_stops[{i}].source", config.Path, 1, 0))
                .Select(e => (e.Item1, e.Item2))];
            _emergencyStopMaxAge = [.. stops.Select(e => e.MaxAgeNs)];
            // Only devices an action targets are written: a leader arm has goal channels too, but writing them
            // would turn its torque on under the operator's hand.
            _driven = [.. _devices.Select((_, d) => _actions.Any(a => a.Device == d))];
        }
        catch
        {
            devices.ForEach(d => d.Dispose());
            throw;
        }
    }

    public RobotDescription Description { get; }

    public IReadOnlyList<IDevice> Devices => _devices;

    /// <summary>Every device's notes, once started (<see cref="IDevice.Notes"/>).</summary>
    public IEnumerable<string> Notes => _devices.SelectMany(d => d.Notes);

    /// <summary>Starts every device; one that cannot start is named in the error (a bus's own error names only its port).</summary>
    public void Start()
    {
        foreach (var device in _devices)
        {
            try
            {
                device.Start();
            }
            catch (Exception e) when (e is IOException or InvalidDataException && !e.Message.StartsWith(device.Name + ": ", StringComparison.Ordinal))
            {
                string message = $"{device.Name}: {e.Message}";
                throw e is InvalidDataException ? new InvalidDataException(message, e) : new IOException(message, e);
            }
        }
    }

    public ReadStatus Read(Span<float> observation, long nowNs, out int faultIndex)
    {
        for (int d = 0; d < _devices.Length; d++)
        {
            // No sample read means the read lost its race with the device's thread (preempted mid-publish on a busy
            // machine), and what it copied may be torn: keep the last sample, whose age the max-age rules judge. A
            // device that stops publishing still goes stale, and one that never published is stale from the start.
            long sampledAt = _devices[d].ReadLatest(_reading[d]);
            if (sampledAt != long.MinValue)
            {
                _reading[d].CopyTo(_inputs[d], 0);
                _sampledAt[d] = sampledAt;
            }
        }
        _readAt = nowNs;
        faultIndex = -1;
        for (int i = 0; i < _observations.Length; i++)
        {
            var (device, channel, scale, offset) = _observations[i];
            observation[i] = _inputs[device][channel] * scale + offset;
            if (faultIndex < 0 && Stale(device, _maxAge[i]))
            {
                faultIndex = i;
            }
        }
        for (int i = 0; i < _emergencyStops.Length; i++)
        {
            var (device, channel) = _emergencyStops[i];
            // Pressed, or not known to be released: a stop input that cannot be read must stop the robot.
            if (StopInputActive(_inputs[device][channel]) || Stale(device, _emergencyStopMaxAge[i]))
            {
                faultIndex = i;
                return ReadStatus.EmergencyStop;
            }
        }
        return faultIndex < 0 ? ReadStatus.Ok : ReadStatus.StaleSensor;
    }

    public bool IsFresh(int index) => !Stale(_observations[index].Device, _maxAge[index]);

    public void Write(ReadOnlySpan<float> action, long nowNs)
    {
        for (int i = 0; i < _actions.Length; i++)
        {
            var (device, channel, scale, offset) = _actions[i];
            _outputs[device][channel] = (action[i] - offset) / scale;
        }
        for (int d = 0; d < _devices.Length; d++)
        {
            if (_driven[d])
            {
                _devices[d].WriteOutputs(_outputs[d]);
            }
        }
    }

    public bool HasTeleop => _teleop.Length > 0;

    public bool TryReadTeleop(Span<float> action)
    {
        for (int i = 0; i < _teleop.Length; i++)
        {
            var (device, channel, scale, offset) = _teleop[i];
            if (Stale(device, _teleopMaxAge[i]))
            {
                return false;
            }
            action[i] = _inputs[device][channel] * scale + offset;
        }
        return _teleop.Length > 0;
    }

    public void Halt()
    {
        foreach (var device in _devices)
        {
            device.Halt();
        }
    }

    public void Resume()
    {
        foreach (var device in _devices)
        {
            device.Resume();
        }
    }

    /// <summary>Stops every device, even when one of them fails to (the first failure is thrown after).</summary>
    public void Stop()
    {
        Exception? first = null;
        foreach (var device in _devices)
        {
            try
            {
                device.Stop();
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
        if (first is not null)
        {
            throw new IOException($"stopping the robot's devices: {first.Message}", first);
        }
    }

    public void Dispose()
    {
        foreach (var device in _devices)
        {
            device.Dispose();
        }
    }

    /// <summary>
    /// Whether a stop input's reading means stop: 0.5 and above, and anything that is not a number (a NaN from a
    /// board of your own is not a released button), hence !(x &lt; 0.5) rather than x ≥ 0.5.
    /// </summary>
    public static bool StopInputActive(float value) => !(value < 0.5f);

    /// <summary>
    /// Each driven output's range in its device's units: the action's min and max through (action − offset) / scale,
    /// which a negative scale swaps.
    /// </summary>
    private void LimitOutputs(ResolvedConfig config)
    {
        for (int i = 0; i < _actions.Length; i++)
        {
            var (device, channel, _, _) = _actions[i];
            if (_devices[device] is IOutputLimits limits)
            {
                var (_, scale, offset) = config.Actions[i];
                var spec = config.Description.Actions[i];
                double low = (spec.Min - offset) / scale;
                double high = (spec.Max - offset) / scale;
                limits.LimitOutput(channel, Math.Min(low, high), Math.Max(low, high));
            }
        }
    }

    /// <summary>Whether a device's sample, as of the last read, is missing or older than <paramref name="maxAgeNs"/>.</summary>
    private bool Stale(int device, long maxAgeNs) => _sampledAt[device] == long.MinValue || _readAt - _sampledAt[device] > maxAgeNs;

    private (int, int, float, float) Locate(ChannelRef reference, Func<IDevice, IReadOnlyList<string>> channels, string field, string path, double scale, double offset)
    {
        int device = Array.FindIndex(_devices, d => d.Name == reference.Device);
        int channel = channels(_devices[device]).ToList().IndexOf(reference.Channel);
        if (channel < 0)
        {
            throw new InvalidDataException($"{path}: {field}: device '{reference.Device}' has no channel '{reference.Channel}' (it has {string.Join(", ", channels(_devices[device]))})");
        }
        return (device, channel, (float)scale, (float)offset);
    }
}
