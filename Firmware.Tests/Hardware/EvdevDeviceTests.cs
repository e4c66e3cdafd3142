using System.Text.Json;
using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;
using Robotics.Protos;
using Robotics.Tests.Support;
using static Robotics.Tests.Support.EventFifo;

namespace Robotics.Tests.Hardware;

/// <summary>The evdev driver reading real input_event records from a FIFO that stands in for /dev/input/eventN.</summary>
public sealed class EvdevDeviceTests : IDisposable
{
    private static readonly TimeSpan Patience = Waits.Patience;
    private readonly TempDirectory _directory = new();
    private readonly EventFifo _fifo;
    private readonly List<IDevice> _devices = [];

    public EvdevDeviceTests() => _fifo = new EventFifo(_directory.File("event0"));

    public void Dispose()
    {
        _devices.ForEach(d => d.Dispose());
        _fifo.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void An_xbox_stick_reads_its_full_range_as_minus_one_to_one()
    {
        // xpad reports sticks from -32768 to 32767: the centre is -0.5, the half range 32767.5.
        var pad = Started(new { path = _fifo.Path, axes = new[] { new { code = "ABS_X", min = -32768, max = 32767 } } });

        At(pad, 32767);
        Assert.Equal(1, Value(pad, "abs_x"), 5);
        At(pad, -32768);
        Assert.Equal(-1, Value(pad, "abs_x"), 5);
        // 16384 is x = 16384.5 / 32767.5 = 0.500023; past the 5 % dead zone, (0.500023 − 0.05) / 0.95 = 0.473708.
        At(pad, 16384);
        Assert.Equal(0.473708, Value(pad, "abs_x"), 5);
        // -8192: x = −8191.5 / 32767.5 = −0.249989, so −(0.249989 − 0.05) / 0.95 = −0.210514.
        At(pad, -8192);
        Assert.Equal(-0.210514, Value(pad, "abs_x"), 5);
        // 0 is 0.000015 off centre: inside the dead zone.
        At(pad, 0);
        Assert.Equal(0, Value(pad, "abs_x"));
    }

    [Fact]
    public void A_ps4_stick_resting_at_128_of_0_to_255_reads_zero()
    {
        var pad = Started(new { path = _fifo.Path, axes = new[] { new { code = "ABS_Y", min = 0, max = 255 } } });

        At(pad, 255, AbsY);
        Assert.Equal(1, Value(pad, "abs_y"), 5);
        At(pad, 0, AbsY);
        Assert.Equal(-1, Value(pad, "abs_y"), 5);
        // 140: x = 12.5 / 127.5 = 0.098039, (0.098039 − 0.05) / 0.95 = 0.050568.
        At(pad, 140, AbsY);
        Assert.Equal(0.050568, Value(pad, "abs_y"), 5);
        // At rest a DualShock 4 reports 128 (or 127): 0.5 / 127.5 = 0.004 off centre.
        At(pad, 128, AbsY);
        Assert.Equal(0, Value(pad, "abs_y"));
        At(pad, 127, AbsY);
        Assert.Equal(0, Value(pad, "abs_y"));
    }

    [Fact]
    public void The_dead_zone_swallows_small_deflections_and_invert_swaps_the_ends()
    {
        var pad = Started(new { path = _fifo.Path, axes = new[] { new { code = "ABS_Y", min = -100, max = 100, deadzone = 0.2, invert = true } } });

        At(pad, 100, AbsY);
        Assert.Equal(-1, Value(pad, "abs_y"), 5);
        At(pad, 20, AbsY);
        Assert.Equal(0, Value(pad, "abs_y"));
        // 60 is x = 0.6: (0.6 − 0.2) / 0.8 = 0.5, inverted.
        At(pad, 60, AbsY);
        Assert.Equal(-0.5, Value(pad, "abs_y"), 5);
        At(pad, -19, AbsY);
        Assert.Equal(0, Value(pad, "abs_y"));
        At(pad, -100, AbsY);
        Assert.Equal(1, Value(pad, "abs_y"), 5);
    }

    [Fact]
    public void A_key_reads_one_while_pressed_and_auto_repeating()
    {
        var pad = Started(new { path = _fifo.Path, keys = new[] { "BTN_SOUTH" } });

        Settled(pad, () => _fifo.Frame((Key, BtnSouth, 1)));
        Assert.Equal(1, Value(pad, "btn_south"));
        Settled(pad, () => _fifo.Frame((Key, BtnSouth, 2)));
        Assert.Equal(1, Value(pad, "btn_south"));
        Settled(pad, () => _fifo.Frame((Key, BtnSouth, 0)));
        Assert.Equal(0, Value(pad, "btn_south"));
    }

    [Fact]
    public void A_key_axis_is_plus_one_minus_one_or_zero_with_both_keys_held()
    {
        var pad = Started(new { path = _fifo.Path, key_axes = new[] { new { name = "drive", positive = "KEY_W", negative = "KEY_S" } } });

        Settled(pad, () => _fifo.Frame((Key, KeyW, 1)));
        Assert.Equal(1, Value(pad, "drive"));
        Settled(pad, () => _fifo.Frame((Key, KeyS, 1)));
        Assert.Equal(0, Value(pad, "drive"));
        Settled(pad, () => _fifo.Frame((Key, KeyW, 0)));
        Assert.Equal(-1, Value(pad, "drive"));
        Settled(pad, () => _fifo.Frame((Key, KeyS, 0)));
        Assert.Equal(0, Value(pad, "drive"));
    }

    [Fact]
    public void Channels_are_named_after_the_codes_whether_given_by_name_or_number()
    {
        var pad = Created(new
        {
            path = _fifo.Path,
            axes = new object[] { new { code = 0x10, min = -1, max = 1 }, new { code = 40, min = 0, max = 1 } },
            keys = new object[] { 0x130, "key_up", 700 },
        });

        Assert.Equal(new[] { "abs_hat0x", "abs_40", "btn_south", "key_up", "key_700" }, pad.Inputs);
        Assert.Empty(pad.Outputs);
    }

    [Fact]
    public void Events_of_a_frame_are_seen_together_at_its_syn_report()
    {
        var pad = Started(new { path = _fifo.Path, axes = new[] { new { code = "ABS_X", min = -100, max = 100, deadzone = 0.0 }, new { code = "ABS_Y", min = -100, max = 100, deadzone = 0.0 } } });

        Settled(pad, () => _fifo.Write((Absolute, AbsX, 100), (Absolute, AbsY, -100)));
        Assert.Equal(new[] { 0f, 0f }, Values(pad, out _));
        Settled(pad, () => _fifo.Write((Sync, Report, 0)));
        Assert.Equal(new[] { 1f, -1f }, Values(pad, out _));
    }

    [Fact]
    public void After_syn_dropped_events_up_to_the_next_syn_report_are_discarded()
    {
        var pad = Started(new { path = _fifo.Path, axes = new[] { new { code = "ABS_X", min = -100, max = 100, deadzone = 0.0 } }, keys = new[] { "BTN_SOUTH" } });
        Settled(pad, () => _fifo.Frame((Absolute, AbsX, 50)));

        // A frame cut by the kernel's overflow (event-codes.rst): its events before and after SYN_DROPPED are stale.
        Settled(pad, () => _fifo.Write((Absolute, AbsX, -20), (Sync, Dropped, 0), (Absolute, AbsX, -70), (Key, BtnSouth, 1), (Sync, Report, 0)));

        Assert.Equal(new[] { 0.5f, 0f }, Values(pad, out _));
        Assert.Equal(1, pad.Counters["dropped"]);
        Settled(pad, () => _fifo.Frame((Absolute, AbsX, -70), (Key, BtnSouth, 1)));
        Assert.Equal(new[] { -0.7f, 1f }, Values(pad, out _));
    }

    [Fact]
    public void A_stick_held_still_is_republished_every_period_so_its_sample_stays_fresh()
    {
        var pad = Started(new { path = _fifo.Path, period_ms = 10, axes = new[] { new { code = "ABS_X", min = -100, max = 100, deadzone = 0.0 } } });
        Settled(pad, () => _fifo.Frame((Absolute, AbsX, 100)));
        Values(pad, out long heldAt);

        // Nothing more is written: the samples keep coming, newer and newer, with the same value.
        Assert.True(SpinWait.SpinUntil(() => { Values(pad, out long at); return at - heldAt > 100_000_000; }, Patience), "the held state was not republished");
        Assert.Equal(new[] { 1f }, Values(pad, out long latest));
        Assert.InRange(MonotonicClock.NowNs() - latest, 0, 1_000_000_000);
        Assert.Equal(_fifo.Written, pad.Counters["events"]);
    }

    [Fact]
    public void An_unplugged_device_stops_publishing_and_is_reopened_when_it_is_back()
    {
        var pad = Started(new { path = _fifo.Path, keys = new[] { "BTN_SOUTH" } });
        Settled(pad, () => _fifo.Frame((Key, BtnSouth, 1)));

        _fifo.Unplug();

        // A sample republished every 10 ms would never be this old: publishing stopped.
        Assert.True(SpinWait.SpinUntil(() => Age(pad) > 300_000_000, Patience), "the sample kept being published after the unplug");
        Assert.Equal(0, pad.Counters["reopens"]);

        _fifo.Plug();

        Assert.True(SpinWait.SpinUntil(() => pad.Counters["reopens"] == 1 && _fifo.Connected && Age(pad) < 100_000_000, Patience), "not reopened");
        // The button held before the unplug is not assumed held: a device comes back released until it says otherwise.
        Assert.Equal(new[] { 0f }, Values(pad, out _));
        Settled(pad, () => _fifo.Frame((Key, BtnSouth, 1)));
        Assert.Equal(new[] { 1f }, Values(pad, out _));
    }

    [Fact]
    public void A_started_device_has_a_sample_at_once_released_and_centred()
    {
        var pad = Started(new { path = _fifo.Path, axes = new[] { new { code = "ABS_X", min = 0, max = 255 } }, keys = new[] { "KEY_SPACE" } });

        Assert.Equal(new[] { 0f, 0f }, Values(pad, out long at));
        Assert.NotEqual(long.MinValue, at);
    }

    [Fact]
    public void An_axis_without_min_and_max_asks_the_device_and_a_fifo_cannot_answer()
    {
        var pad = Created(new { path = _fifo.Path, axes = new[] { new { code = "ABS_RX" } } });

        var error = Assert.Throws<IOException>(pad.Start);

        Assert.Equal($"{_fifo.Path}: the device reports no range for abs_rx (EVIOCGABS); give its min and max in the settings", error.Message);
    }

    [Fact]
    public void Grab_asks_for_the_device_alone_and_a_fifo_cannot_be_grabbed()
    {
        var pad = Created(new { path = _fifo.Path, grab = true, keys = new[] { "KEY_W" } });

        var error = Assert.Throws<IOException>(pad.Start);

        Assert.StartsWith($"{_fifo.Path}: cannot grab it (EVIOCGRAB): ", error.Message);
    }

    [Fact]
    public void A_missing_device_fails_the_start_naming_the_path()
    {
        string path = _directory.File("event9");
        var pad = Created(new { path, keys = new[] { "KEY_W" } });

        var error = Assert.Throws<IOException>(pad.Start);

        Assert.Equal($"{path}: cannot open: No such file or directory (errno 2)", error.Message);
    }

    [Theory]
    [InlineData("""{"path":"/dev/input/event0","axes":[{"code":"ABS_FOO","min":0,"max":1}]}""", "axes[0].code: 'ABS_FOO' is not one of ABS_X, ABS_Y, ")]
    [InlineData("""{"path":"/dev/input/event0","axes":[{"code":"ABS_X","min":10,"max":10}]}""", "axes[0].max: must be greater than min (10)")]
    [InlineData("""{"path":"/dev/input/event0","axes":[{"code":"ABS_X","min":-1}]}""", "axes[0].max: give min and max together, or neither to ask the device (EVIOCGABS)")]
    [InlineData("""{"path":"/dev/input/event0","axes":[{"code":"ABS_X","deadzone":0.7}]}""", "axes[0].deadzone: must be a number from 0 to 0.5")]
    [InlineData("""{"path":"/dev/input/event0","axes":[{"code":"ABS_X","dead_zone":0.1}]}""", "axes[0].dead_zone: unknown setting (known: code, min, max, deadzone, invert)")]
    [InlineData("""{"path":"/dev/input/event0","axes":[{"min":0,"max":1}]}""", "axes[0].code: required: one of ABS_X, ")]
    [InlineData("""{"path":"/dev/input/event0","keys":["KEY_W","key_w"]}""", "keys[1]: 'key_w' is already a channel of this device")]
    [InlineData("""{"path":"/dev/input/event0","key_axes":[{"name":"drive","positive":"KEY_W","negative":"KEY_W"}]}""", "key_axes[0].negative: must be another key than positive")]
    [InlineData("""{"path":"/dev/input/event0","key_axes":[{"positive":"KEY_W","negative":"KEY_S"}]}""", "key_axes[0].name: required, a non-empty string")]
    [InlineData("""{"path":"/dev/input/event0"}""", "axes: the device reads nothing: give axes, keys or key_axes")]
    [InlineData("""{"keys":["KEY_W"]}""", "path: required, a non-empty string")]
    [InlineData("""{"path":"/dev/input/event0","period_ms":0,"keys":["KEY_W"]}""", "period_ms: must be a whole number from 1 to 1000")]
    [InlineData("""{"path":"/dev/input/event0","grab":"yes","keys":["KEY_W"]}""", "grab: must be true or false")]
    public void Bad_settings_are_refused_naming_the_field(string settings, string expected)
    {
        var config = new DeviceConfig { Name = "pad", Type = "evdev", Settings = JsonDocument.Parse(settings).RootElement };

        var error = Assert.Throws<InvalidDataException>(() => DeviceRegistry.Default.Create(config, "robot.json", 0));

        Assert.StartsWith($"robot.json: devices[0].settings.{expected}", error.Message);
    }

    [Fact]
    public void A_key_number_out_of_range_is_refused_with_the_range()
    {
        var config = new DeviceConfig { Name = "pad", Type = "evdev", Settings = JsonDocument.Parse("""{"path":"/p","keys":[768]}""").RootElement };

        var error = Assert.Throws<InvalidDataException>(() => DeviceRegistry.Default.Create(config, "robot.json", 0));

        Assert.EndsWith("or a number from 0 to 767 (linux/input-event-codes.h)", error.Message);
    }

    private IDevice Created(object settings)
    {
        var config = new DeviceConfig { Name = "pad", Type = "evdev", Settings = JsonSerializer.SerializeToElement(settings) };
        var device = DeviceRegistry.Default.Create(config, "robot.json", 0);
        _devices.Add(device);
        return device;
    }

    private IDevice Started(object settings)
    {
        var device = Created(settings);
        device.Start();
        return device;
    }

    /// <summary>Writes one frame moving an axis, and waits for the device to have processed it.</summary>
    private void At(IDevice pad, int raw, ushort axis = AbsX) => Settled(pad, () => _fifo.Frame((Absolute, axis, raw)));

    /// <summary>
    /// Writes, then waits until the device has read every record written and published a sample after that:
    /// what it publishes now includes them.
    /// </summary>
    private void Settled(IDevice pad, Action write)
    {
        write();
        Assert.True(SpinWait.SpinUntil(() => pad.Counters["events"] == _fifo.Written, Patience), $"read {pad.Counters["events"]} of {_fifo.Written} events");
        long read = MonotonicClock.NowNs();
        Assert.True(SpinWait.SpinUntil(() => { Values(pad, out long at); return at > read; }, Patience), "no sample after the events");
    }

    private static float[] Values(IDevice pad, out long at)
    {
        var values = new float[pad.Inputs.Count];
        at = pad.ReadLatest(values);
        return values;
    }

    private static float Value(IDevice pad, string channel) => Values(pad, out _)[pad.Inputs.ToList().IndexOf(channel)];

    private static long Age(IDevice pad)
    {
        Values(pad, out long at);
        return MonotonicClock.NowNs() - at;
    }
}
