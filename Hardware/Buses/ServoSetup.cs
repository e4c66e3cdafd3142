using System.Buffers.Binary;
using System.Globalization;

namespace Robotics.Hardware.Buses;

/// <summary>
/// Sets a chain's servos up when it opens (<see cref="ServoSetupTable"/> says what, per family). A model whose control
/// table the driver does not know is refused before anything is written: an XL-320 or a PRO driven at X-series
/// addresses would take a goal as some other item. Then each servo's settings, and the position limits of an output
/// the robot drives, are made to hold their values: an item is written only when it differs (EEPROM wears out with
/// writes), then read back, and a servo that did not take it stops the start.
/// <para>
/// Every item is read in one Read of the block from the first to the last (a few dozen bytes, undefined addresses
/// between included, as ROBOTIS's dynamixel-workbench monitor example reads a whole table): one transaction per
/// servo, and one more to read back a servo that was written. Writes go as a sync write to the one servo, which no
/// Status Return Level answers, so a servo set to answer reads only is set up like any other; the read-back is the
/// confirmation. EEPROM items take writes only with torque off on Dynamixel X (Access Error otherwise), so a servo
/// found with torque on (left so by a crash) has it turned off first, as a halt would; a family's EEPROM lock is
/// opened for the writes and closed after.
/// </para>
/// </summary>
public sealed class ServoSetup
{
    private readonly string _device;
    private readonly ServoSetupTable _table;
    private readonly ServoRegister _torque;
    // The block read: from the first item's address, this many bytes.
    private readonly ushort _first;
    private readonly int _length;
    private readonly byte[] _value = new byte[4];

    public ServoSetup(string device, ServoSetupTable table, ushort torqueEnable)
    {
        _device = device;
        _table = table;
        _torque = new ServoRegister("Torque Enable", torqueEnable, 1);
        ServoRegister[] items = [table.ModelNumber, _torque, table.MinPosition, table.MaxPosition, .. table.Settings.Select(s => s.Register)];
        _first = items.Min(i => i.Address);
        _length = items.Max(i => i.Address + i.Width) - _first;
    }

    /// <summary>
    /// Checks every servo's model, then makes each one's settings hold and its position limits span its entry of
    /// <paramref name="ranges"/> (raw units; null: a servo no action drives, whose limits are left as they are).
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// A model the driver does not know (naming the device, the servo, its model and the models supported), a range
    /// outside the servo's positions, or a value the servo did not take.
    /// </exception>
    public void Apply(ServoBus bus, ReadOnlySpan<byte> ids, ReadOnlySpan<(double Min, double Max)?> ranges)
    {
        var blocks = new byte[ids.Length][];
        for (int i = 0; i < ids.Length; i++)
        {
            blocks[i] = new byte[_length];
            bus.Read(ids[i], _first, blocks[i]);
            CheckModel(ids[i], Value(blocks[i], _table.ModelNumber));
        }
        for (int i = 0; i < ids.Length; i++)
        {
            Apply(bus, ids[i], blocks[i], ranges[i]);
        }
    }

    private void CheckModel(byte id, int model)
    {
        if (_table.Supported.ContainsKey(model))
        {
            return;
        }
        string name = _table.Unsupported.TryGetValue(model, out string? known) ? $" ({known})" : "";
        string supported = string.Join(", ", _table.Supported.Select(m => $"{m.Value} ({m.Key})"));
        throw new InvalidDataException(
            $"{_device}: servo {id} reports model number {model}{name}, whose control table this driver does not know; it drives the {_table.Family}: {supported}");
    }

    /// <summary>One servo, whose items <paramref name="block"/> holds as read.</summary>
    private void Apply(ServoBus bus, byte id, byte[] block, (double Min, double Max)? range)
    {
        var wanted = new List<ServoSetting>(_table.Settings);
        if (range is { } r)
        {
            var (min, max) = Limits(id, r);
            wanted.Add(new ServoSetting(_table.MinPosition, min));
            wanted.Add(new ServoSetting(_table.MaxPosition, max));
        }
        var changes = wanted.Select(w => (Setting: w, Was: Value(block, w.Register))).Where(c => c.Was != c.Setting.Value).ToList();
        if (changes.Count == 0)
        {
            return;
        }
        RaiseMaxFirst(changes);
        if (Value(block, _torque) != 0)
        {
            Write(bus, id, _torque, 0);
        }
        if (_table.Lock is { } unlock)
        {
            Write(bus, id, unlock.Register, unlock.Unlocked);
        }
        foreach (var (setting, _) in changes)
        {
            Write(bus, id, setting.Register, setting.Value);
        }
        if (_table.Lock is { } relock)
        {
            Write(bus, id, relock.Register, relock.Locked);
        }
        bus.Read(id, _first, block);
        foreach (var (setting, _) in changes)
        {
            int now = Value(block, setting.Register);
            if (now != setting.Value)
            {
                throw new InvalidDataException(
                    $"{_device}: servo {id} did not take {setting.Register.Name} = {setting.Value} (address {setting.Register.Address}): it reads back {now}");
            }
        }
    }

    /// <summary>
    /// The limits for an output driven over <paramref name="range"/>: rounded outwards, as the goals sent are rounded
    /// to the nearest unit, and held within the servo's positions.
    /// </summary>
    private (int Min, int Max) Limits(byte id, (double Min, double Max) range)
    {
        if (range.Max < 0 || range.Min > _table.PositionMax)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{_device}: {id}.goal_position: the actions' limits map to {range.Min:F0}–{range.Max:F0}, outside the servo's positions 0–{_table.PositionMax}"));
        }
        return ((int)Math.Max(0, Math.Floor(range.Min)), (int)Math.Min(_table.PositionMax, Math.Ceiling(range.Max)));
    }

    /// <summary>
    /// Limits moved up past the old maximum get the new maximum first, so the minimum is never above the maximum
    /// between the two writes (both vendors' tables want the minimum below the maximum).
    /// </summary>
    private void RaiseMaxFirst(List<(ServoSetting Setting, int Was)> changes)
    {
        int min = changes.FindIndex(c => c.Setting.Register == _table.MinPosition);
        int max = changes.FindIndex(c => c.Setting.Register == _table.MaxPosition);
        if (min >= 0 && max > min && changes[min].Setting.Value > changes[max].Was)
        {
            (changes[min], changes[max]) = (changes[max], changes[min]);
        }
    }

    /// <summary>An item's value in a block read from <see cref="_first"/>.</summary>
    private int Value(byte[] block, ServoRegister register)
    {
        var value = block.AsSpan(register.Address - _first, register.Width);
        return register.Width switch
        {
            1 => value[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(value),
            _ => BinaryPrimitives.ReadInt32LittleEndian(value),
        };
    }

    private void Write(ServoBus bus, byte id, ServoRegister register, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_value, value);
        bus.SyncWrite(register.Address, (ushort)register.Width, [id], _value.AsSpan(0, register.Width));
    }
}
