using Robotics.Protos;

namespace Robotics.Hardware.Buses;

/// <summary>
/// A servo chain's halt, confirmed: each try writes it to every servo and reads it back, and a servo that did not
/// read back what it was sent is tried again on the next halted period, so one off the daisy chain for a moment
/// gets the halt as soon as it is back. A halt unconfirmed for longer than its policy allows is counted as overdue
/// (the robot turns that into an error event naming the servos) and is still tried every period after.
/// Buffers are allocated once; a try allocates nothing unless the bus fails.
/// </summary>
internal sealed class ServoChainHalt
{
    private readonly ServoHaltPolicy _policy;
    private readonly ServoTable _table;
    private readonly byte[] _ids;
    private readonly byte[] _torqueOff;
    private readonly byte[] _torqueOn;
    private readonly byte[] _torqueRead;
    private readonly byte[] _goals;
    private readonly byte[] _goalsRead;
    private readonly int[] _unconfirmed;
    private readonly long _confirmWithinNs;
    private bool _goalsChosen;
    private bool _confirmed;
    private long _startedNs;
    private bool _counted;
    private long _resends;
    private long _overdue;

    public ServoChainHalt(ServoHaltPolicy policy, ServoTable table, byte[] ids)
    {
        _policy = policy;
        _table = table;
        _ids = ids;
        _torqueOff = new byte[ids.Length];
        _torqueOn = [.. ids.Select(_ => (byte)1)];
        _torqueRead = new byte[ids.Length];
        _goals = new byte[ids.Length * table.GoalWidth];
        _goalsRead = new byte[ids.Length * table.GoalWidth];
        _unconfirmed = new int[ids.Length];
        _confirmWithinNs = policy.ConfirmWithin.Ticks * 100;
    }

    /// <summary>Whether the servos keep torque on while halted (hold, pose).</summary>
    public bool KeepsTorque => _policy.Mode != ServoHaltMode.TorqueOff;

    /// <summary>Tries after the first that a halt needed.</summary>
    public long Resends => Interlocked.Read(ref _resends);

    /// <summary>Halts that went unconfirmed for longer than the policy allows.</summary>
    public long Overdue => Interlocked.Read(ref _overdue);

    /// <summary>Servos unconfirmed at the latest try.</summary>
    public int UnconfirmedCount
    {
        get
        {
            int count = 0;
            for (int i = 0; i < _unconfirmed.Length; i++)
            {
                count += Volatile.Read(ref _unconfirmed[i]);
            }
            return count;
        }
    }

    /// <summary>The servos unconfirmed at the latest try, "servo 3" (any thread; allocates only when there are some).</summary>
    public IReadOnlyList<string> Unconfirmed() => UnconfirmedCount == 0
        ? []
        : [.. _ids.Where((_, i) => Volatile.Read(ref _unconfirmed[i]) != 0).Select(id => $"servo {id}")];

    /// <summary>The chain drives again: the next halt starts afresh (and a hold reads where the servos are then).</summary>
    public void End()
    {
        _goalsChosen = false;
        _confirmed = false;
        _counted = false;
        _startedNs = 0;
        Array.Clear(_unconfirmed);
    }

    /// <summary>
    /// One try, unless the halt is already confirmed. <paramref name="positions"/> are the servos' latest raw
    /// positions, which a hold keeps as its goals from its first try on; <paramref name="encode"/> writes a goal
    /// in the family's encoding. True once every servo confirmed.
    /// </summary>
    public bool Try(ServoBus? bus, ReadOnlySpan<float> positions, Action<float, Span<byte>> encode)
    {
        if (_confirmed)
        {
            return true;
        }
        if (_startedNs == 0)
        {
            _startedNs = MonotonicClock.NowNs();
        }
        else
        {
            Interlocked.Increment(ref _resends);
        }
        if (bus is null)
        {
            // The adapter is gone: nobody can confirm anything until it is back.
            _unconfirmed.AsSpan().Fill(1);
            CountIfOverdue();
            return false;
        }
        if (KeepsTorque && !_goalsChosen)
        {
            for (int i = 0; i < _ids.Length; i++)
            {
                float goal = _policy.Mode == ServoHaltMode.Pose ? _policy.Pose[i] : positions[i];
                encode(goal, _goals.AsSpan(i * _table.GoalWidth, _table.GoalWidth));
            }
            _goalsChosen = true;
        }
        try
        {
            if (KeepsTorque)
            {
                // The goal first, then torque on: a servo that came back limp holds the halt's goal, not an old one.
                bus.SyncWrite(_table.Goal, (ushort)_table.GoalWidth, _ids, _goals);
                bus.SyncWrite(_table.TorqueEnable, 1, _ids, _torqueOn);
            }
            else
            {
                bus.SyncWrite(_table.TorqueEnable, 1, _ids, _torqueOff);
            }
            ReadBack(bus);
        }
        catch (ServoBusException)
        {
            // The port failed: nothing is confirmed.
            _unconfirmed.AsSpan().Fill(1);
            throw;
        }
        finally
        {
            _confirmed = UnconfirmedCount == 0;
            CountIfOverdue();
        }
        return _confirmed;
    }

    /// <summary>
    /// Reads the halt back from every servo in one sync read. When a servo does not answer, the sync read stops there:
    /// the servos after it are asked one by one, so the unconfirmed are named exactly. A port failure propagates.
    /// </summary>
    private void ReadBack(ServoBus bus)
    {
        ushort address = KeepsTorque ? _table.Goal : _table.TorqueEnable;
        ushort width = (ushort)(KeepsTorque ? _table.GoalWidth : 1);
        byte[] read = KeepsTorque ? _goalsRead : _torqueRead;
        int failed = _ids.Length;
        try
        {
            bus.SyncRead(address, width, _ids, read);
        }
        catch (ServoBusException e) when (e.Fault != ServoBusFault.Port)
        {
            int at = Array.IndexOf(_ids, (byte)Math.Clamp(e.Id, 0, 255));
            failed = e.Id < 0 || at < 0 ? 0 : at;
        }
        for (int i = 0; i < _ids.Length; i++)
        {
            bool took = i < failed ? Took(i) : i > failed && ReadOne(bus, i, address, width, read) && Took(i);
            Volatile.Write(ref _unconfirmed[i], took ? 0 : 1);
        }
    }

    private bool ReadOne(ServoBus bus, int i, ushort address, ushort width, byte[] read)
    {
        try
        {
            bus.Read(_ids[i], address, read.AsSpan(i * width, width));
            return true;
        }
        catch (ServoBusException e) when (e.Fault != ServoBusFault.Port)
        {
            return false;
        }
    }

    private void CountIfOverdue()
    {
        if (!_confirmed && !_counted && MonotonicClock.NowNs() - _startedNs > _confirmWithinNs)
        {
            _counted = true;
            Interlocked.Increment(ref _overdue);
        }
    }

    private bool Took(int i) => KeepsTorque
        ? _goals.AsSpan(i * _table.GoalWidth, _table.GoalWidth).SequenceEqual(_goalsRead.AsSpan(i * _table.GoalWidth, _table.GoalWidth))
        : _torqueRead[i] == 0;
}
