using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Input;

/// <summary>An absolute axis read as a channel: its code, the channel's name, its range (null: ask the device), dead zone and direction.</summary>
public sealed record EvdevAxis(int Code, string Channel, int? Min, int? Max, float Deadzone, bool Invert);

/// <summary>A key or button read as a channel, 1 while pressed.</summary>
public sealed record EvdevKey(int Code, string Channel);

/// <summary>Two keys read as one channel: +1 while the positive one is held, −1 for the negative one, 0 for neither or both.</summary>
public sealed record EvdevKeyAxis(string Channel, int Positive, int Negative);

/// <summary>The <c>evdev</c> driver's settings (docs/robot-config.md, "evdev: gamepad and keyboard").</summary>
public sealed record EvdevSettings(string Path, TimeSpan Period, bool Grab, IReadOnlyList<EvdevAxis> Axes, IReadOnlyList<EvdevKey> Keys, IReadOnlyList<EvdevKeyAxis> KeyAxes)
{
    /// <summary>The channels, in order: axes, then keys, then key axes.</summary>
    public IReadOnlyList<string> Channels => [.. Axes.Select(a => a.Channel), .. Keys.Select(k => k.Channel), .. KeyAxes.Select(k => k.Channel)];

    /// <summary>path, period_ms (default 10), grab (false), axes, keys, key_axes: at least one input.</summary>
    /// <exception cref="DeviceSettingsException">A setting is missing or wrong; the exception names it.</exception>
    public static EvdevSettings From(DeviceConfig config)
    {
        var settings = new DeviceSettings(config.Settings);
        settings.OnlyKnown("path", "period_ms", "grab", "axes", "keys", "key_axes");
        string path = settings.RequiredString("path");
        var period = TimeSpan.FromMilliseconds(settings.WholeNumber("period_ms", 10, 1, 1000));
        bool grab = settings.Flag("grab", false);
        var channels = new HashSet<string>(StringComparer.Ordinal);
        void Claim(string channel, string field)
        {
            if (!channels.Add(channel))
            {
                throw new DeviceSettingsException(field, $"'{channel}' is already a channel of this device");
            }
        }

        var axes = new List<EvdevAxis>();
        foreach (var axis in settings.Objects("axes"))
        {
            axis.OnlyKnown("code", "min", "max", "deadzone", "invert");
            var (code, name) = EventCodes.Axis(axis.TryGet("code", out var value) ? value : default, axis.Field("code"));
            string channel = name.ToLowerInvariant();
            Claim(channel, axis.Field("code"));
            int? min = axis.OptionalWholeNumber("min", int.MinValue, int.MaxValue);
            int? max = axis.OptionalWholeNumber("max", int.MinValue, int.MaxValue);
            if (min.HasValue != max.HasValue)
            {
                throw new DeviceSettingsException(axis.Field(min.HasValue ? "max" : "min"), "give min and max together, or neither to ask the device (EVIOCGABS)");
            }
            if (min >= max)
            {
                throw new DeviceSettingsException(axis.Field("max"), $"must be greater than min ({min})");
            }
            axes.Add(new EvdevAxis(code, channel, min, max, (float)axis.Number("deadzone", 0.05, 0, 0.5), axis.Flag("invert", false)));
        }

        var keys = new List<EvdevKey>();
        foreach (var (value, field) in settings.List("keys"))
        {
            var (code, name) = EventCodes.Key(value, field);
            Claim(name.ToLowerInvariant(), field);
            keys.Add(new EvdevKey(code, name.ToLowerInvariant()));
        }

        var keyAxes = new List<EvdevKeyAxis>();
        foreach (var keyAxis in settings.Objects("key_axes"))
        {
            keyAxis.OnlyKnown("name", "positive", "negative");
            string channel = keyAxis.RequiredString("name");
            Claim(channel, keyAxis.Field("name"));
            var (positive, _) = EventCodes.Key(keyAxis.TryGet("positive", out var up) ? up : default, keyAxis.Field("positive"));
            var (negative, _) = EventCodes.Key(keyAxis.TryGet("negative", out var down) ? down : default, keyAxis.Field("negative"));
            if (positive == negative)
            {
                throw new DeviceSettingsException(keyAxis.Field("negative"), "must be another key than positive");
            }
            keyAxes.Add(new EvdevKeyAxis(channel, positive, negative));
        }

        if (channels.Count == 0)
        {
            throw new DeviceSettingsException("axes", "the device reads nothing: give axes, keys or key_axes");
        }
        return new EvdevSettings(path, period, grab, axes, keys, keyAxes);
    }
}
