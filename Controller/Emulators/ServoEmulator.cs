using System.Buffers.Binary;
using Robotics.Hardware.Buses;
using Robotics.Protos;

namespace Robotics.Emulators;

/// <summary>
/// Servos on the far end of a pseudo-terminal (for tests and benchmarks without hardware), answering as their
/// protocol specifies: ping, read, write, sync read (one status packet per ID, in the order asked), sync write
/// (no answer), each answered only as the servo's status return level allows. Each servo has a control table; with
/// torque on, the present position follows the goal at once. Its EEPROM area outlives a <see cref="PowerCycle"/>
/// when the family saved the write. Faults on demand: answers dropped, corrupted or delayed, error bits, a servo
/// that stops answering, one that does not keep an item. The protocols' framing and control tables are the
/// subclasses' (<see cref="DynamixelEmulator"/>, <see cref="FeetechEmulator"/>).
/// </summary>
public abstract class ServoEmulator : IDisposable
{
    private readonly TtyStream _port;
    private readonly Dictionary<byte, byte[]> _tables = [];
    // Per servo, per control-table address: the writes that set it. A value cannot tell "never written" from
    // "written with what it held", and a test of what a device leaves alone needs to.
    private readonly Dictionary<byte, int[]> _writes = [];
    // Per servo, its EEPROM area as saved: what a power cycle brings back.
    private readonly Dictionary<byte, byte[]> _saved = [];
    private readonly Thread _thread;
    // The status packets answering one instruction, sent in one write: on the wire they follow each other with
    // only the servos' return delay between them, and a write costs a system call that a real servo does not.
    private readonly byte[] _answer = new byte[16 * 1024];
    private int _answerLength;
    private int _spoilt;
    private readonly Lock _gate = new();
    private readonly Timer _clock;
    private long _lastInstructionNs = MonotonicClock.NowNs();
    private readonly CancellationTokenSource _stop = new();

    protected ServoEmulator(string portName, IEnumerable<byte> ids)
    {
        foreach (byte id in ids)
        {
            var table = new byte[1024];
            Initialize(id, table);
            _tables[id] = table;
            _writes[id] = new int[table.Length];
            _saved[id] = table[..EepromEnd];
        }
        _port = new TtyStream(portName, 1_000_000) { ReadTimeout = 50 };
        _thread = new Thread(() => Serve(_port)) { IsBackground = true, Name = "servo-emulator" };
        _thread.Start();
        // A servo's own clock: what it does when nothing reaches it for a while (a bus watchdog) needs no packet to run.
        _clock = new Timer(_ =>
        {
            lock (_gate)
            {
                foreach (var (id, table) in _tables)
                {
                    Idle(id, table, MonotonicClock.NowNs() - _lastInstructionNs);
                }
            }
        }, null, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));
    }

    /// <summary>Answers to leave out, one per status packet, from now on.</summary>
    public int DropAnswers { get; set; }

    /// <summary>Answers to send with a wrong checksum.</summary>
    public int CorruptAnswers { get; set; }

    /// <summary>Answers dropped or corrupted so far (by <see cref="DropAnswers"/> and <see cref="CorruptAnswers"/>).</summary>
    public int SpoiltAnswers => Volatile.Read(ref _spoilt);

    /// <summary>How long to wait before answering.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Servos off the daisy chain (a loose connector): they neither answer nor hear anything sent to them.</summary>
    public HashSet<byte> Silent { get; } = [];

    /// <summary>The error byte each servo sets in its status packets.</summary>
    public Dictionary<byte, byte> ErrorBits { get; } = [];

    /// <summary>Items a servo acknowledges writing but keeps as they were (a firmware without the item, a worn EEPROM cell).</summary>
    public HashSet<(byte Id, ushort Address)> Ignores { get; } = [];

    /// <summary>Instruction packets received, by instruction.</summary>
    public Dictionary<ServoInstruction, int> Received { get; } = [];

    /// <summary>How many <paramref name="instruction"/> packets have arrived: safe to call while the emulator serves.</summary>
    public int ReceivedCount(ServoInstruction instruction)
    {
        lock (_gate)
        {
            return Received.GetValueOrDefault(instruction);
        }
    }

    /// <summary>Bytes of an address (and of a length) in this protocol's instructions.</summary>
    protected abstract int AddressWidth { get; }

    /// <summary>Where the control table's RAM area starts: the items below it are EEPROM, kept across a power cycle.</summary>
    protected abstract int EepromEnd { get; }

    public int ReadInt32(byte id, ushort address)
    {
        lock (_gate)
        {
            return BinaryPrimitives.ReadInt32LittleEndian(_tables[id].AsSpan(address));
        }
    }

    public int ReadUInt16(byte id, ushort address)
    {
        lock (_gate)
        {
            return BinaryPrimitives.ReadUInt16LittleEndian(_tables[id].AsSpan(address));
        }
    }

    /// <summary>
    /// Sets a value in a servo's control table, as a hand moving a leader arm sets its present position, or as the
    /// servo came (its model number, a setting left by another tool).
    /// </summary>
    public void WriteUInt16(byte id, ushort address, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        Set(id, address, bytes);
    }

    public byte ReadByte(byte id, ushort address)
    {
        lock (_gate)
        {
            return _tables[id][address];
        }
    }

    /// <summary>Sets one byte of a servo's control table (a state a previous run left behind, say).</summary>
    public void WriteByte(byte id, ushort address, byte value) => Set(id, address, [value]);

    /// <summary>
    /// Switches a servo off and on: its RAM area back to its initial values, its EEPROM area as last saved (a write
    /// the family did not save is lost).
    /// </summary>
    public void PowerCycle(byte id)
    {
        lock (_gate)
        {
            var table = _tables[id];
            Array.Clear(table);
            Initialize(id, table);
            _saved[id].CopyTo(table, 0);
        }
    }

    /// <summary>Write and sync write instructions received that set this address of a servo's control table.</summary>
    public int Writes(byte id, ushort address)
    {
        lock (_gate)
        {
            return _writes[id][address];
        }
    }

    public void Dispose()
    {
        _clock.Dispose();
        _stop.Cancel();
        // Closing the port ends the read the serving thread is blocked in.
        _port.Dispose();
        _thread.Join();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A servo's control table at power-up.</summary>
    protected abstract void Initialize(byte id, byte[] table);

    /// <summary>Reads the next instruction packet.</summary>
    protected abstract void ReadInstruction(TimeSpan timeout, out byte id, out ServoInstruction instruction, out ReadOnlySpan<byte> parameters);

    /// <summary>Writes a status packet into <paramref name="destination"/>; returns its length.</summary>
    protected abstract int BuildStatus(Span<byte> destination, byte id, byte error, ReadOnlySpan<byte> data);

    /// <summary>What a ping's status packet carries.</summary>
    protected abstract byte[] PingAnswer(byte[] table);

    /// <summary>After a write: with torque on, the servo is where it was told to go.</summary>
    protected abstract void Move(byte[] table);

    /// <summary>Sets up the reader for the port; called on the serving thread.</summary>
    protected abstract void Attach(Stream port);

    /// <summary>Every 10 ms, with how long since the last instruction packet on the bus (any servo's). Under the table lock.</summary>
    protected virtual void Idle(byte id, byte[] table, long sinceInstructionNs)
    {
    }

    /// <summary>The status error a write of <paramref name="data"/> at <paramref name="address"/> gets instead of being stored (0: stored).</summary>
    protected virtual byte RefuseWrite(byte[] table, int address, ReadOnlySpan<byte> data) => 0;

    /// <summary>Whether the servo's status return level has it answer this instruction (a ping always is).</summary>
    protected abstract bool Answers(byte[] table, ServoInstruction instruction);

    /// <summary>Whether a write to the EEPROM area is saved, to outlive a power cycle (a family's EEPROM lock).</summary>
    protected virtual bool Saves(byte[] table) => true;

    private void Serve(Stream port)
    {
        Attach(port);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // A long wait: a packet that straddled a short deadline would be cut in two and go unanswered.
                ReadInstruction(TimeSpan.FromSeconds(10), out byte id, out var instruction, out var parameters);
                lock (_gate)
                {
                    _lastInstructionNs = MonotonicClock.NowNs();
                    Received[instruction] = Received.GetValueOrDefault(instruction) + 1;
                    _answerLength = 0;
                    Answer(id, instruction, parameters);
                    if (_answerLength > 0)
                    {
                        if (AnswerDelay > TimeSpan.Zero)
                        {
                            // A late servo; disposing ends the wait.
                            _stop.Token.WaitHandle.WaitOne(AnswerDelay);
                        }
                        _port.Write(_answer, 0, _answerLength);
                    }
                }
            }
            catch (ServoBusException e) when (e.Fault is ServoBusFault.Timeout or ServoBusFault.Corrupt or ServoBusFault.Unexpected)
            {
                // Nothing asked, or a packet a real servo would ignore too.
            }
            catch (ServoBusException e) when (e.Fault == ServoBusFault.Port)
            {
                // The line is gone (socat killed): the servos are unplugged.
                return;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Answer(byte id, ServoInstruction instruction, ReadOnlySpan<byte> p)
    {
        int w = AddressWidth;
        switch (instruction)
        {
            case ServoInstruction.Ping when _tables.ContainsKey(id):
                Reply(id, PingAnswer(_tables[id]));
                break;
            case ServoInstruction.Read when _tables.TryGetValue(id, out var read) && Answers(read, instruction):
                Reply(id, read.AsSpan(Field(p, 0), Field(p, w)));
                break;
            case ServoInstruction.Write when _tables.TryGetValue(id, out var written) && !Silent.Contains(id):
                byte refused = RefuseWrite(written, Field(p, 0), p[w..]);
                if (refused == 0)
                {
                    Store(id, Field(p, 0), p[w..]);
                }
                if (Answers(written, instruction))
                {
                    ErrorBits.TryGetValue(id, out byte standing);
                    ReplyWithError(id, (byte)(standing | refused), []);
                }
                break;
            case ServoInstruction.SyncRead:
                int address = Field(p, 0);
                int length = Field(p, w);
                foreach (byte servo in p[(2 * w)..])
                {
                    if (_tables.TryGetValue(servo, out var table) && Answers(table, instruction))
                    {
                        Reply(servo, table.AsSpan(address, length));
                    }
                }
                break;
            case ServoInstruction.SyncWrite:
                int start = Field(p, 0);
                int size = Field(p, w);
                for (int at = 2 * w; at + 1 + size <= p.Length; at += 1 + size)
                {
                    if (_tables.TryGetValue(p[at], out var target) && !Silent.Contains(p[at]) && RefuseWrite(target, start, p.Slice(at + 1, size)) == 0)
                    {
                        Store(p[at], start, p.Slice(at + 1, size));
                    }
                }
                break;
        }
    }

    private int Field(ReadOnlySpan<byte> p, int at) => AddressWidth == 1 ? p[at] : BinaryPrimitives.ReadUInt16LittleEndian(p[at..]);

    /// <summary>A write received: counted, kept unless the servo ignores the item, saved if the family saves it.</summary>
    private void Store(byte id, int address, ReadOnlySpan<byte> data)
    {
        var table = _tables[id];
        foreach (ref int writes in _writes[id].AsSpan(address, data.Length))
        {
            writes++;
        }
        if (Ignores.Contains((id, (ushort)address)))
        {
            return;
        }
        data.CopyTo(table.AsSpan(address));
        if (Saves(table))
        {
            Save(id, address, data);
        }
        Move(table);
    }

    /// <summary>A value set from outside (the test): in the table, and saved as the servo came.</summary>
    private void Set(byte id, ushort address, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            data.CopyTo(_tables[id].AsSpan(address));
            Save(id, address, data);
        }
    }

    private void Save(byte id, int address, ReadOnlySpan<byte> data)
    {
        if (address < EepromEnd)
        {
            data[..Math.Min(data.Length, EepromEnd - address)].CopyTo(_saved[id].AsSpan(address));
        }
    }

    private void Reply(byte id, ReadOnlySpan<byte> data) => ReplyWithError(id, ErrorBits.GetValueOrDefault(id), data);

    private void ReplyWithError(byte id, byte error, ReadOnlySpan<byte> data)
    {
        if (Silent.Contains(id))
        {
            return;
        }
        if (DropAnswers > 0)
        {
            DropAnswers--;
            Interlocked.Increment(ref _spoilt);
            return;
        }
        _answerLength += BuildStatus(_answer.AsSpan(_answerLength), id, error, data);
        if (CorruptAnswers > 0)
        {
            CorruptAnswers--;
            Interlocked.Increment(ref _spoilt);
            _answer[_answerLength - 1] ^= 0x5A;
        }
    }
}
