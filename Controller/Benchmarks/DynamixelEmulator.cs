using System.Buffers.Binary;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Dynamixel;

namespace Robotics.Controller.Benchmarks;

/// <summary>
/// Dynamixel X-series servos on the far end of a pseudo-terminal (for tests and benchmarks without hardware), answering Protocol 2.0 as the e-Manual
/// specifies: ping, read, write, sync read (one status packet per ID, in the order asked), sync write (no
/// answer). Each servo has a control table; with torque on, present position follows goal position at once.
/// Faults on demand: answers dropped, corrupted or delayed, error bits, a servo that stops answering.
/// </summary>
public sealed class DynamixelEmulator : IDisposable
{
    /// <summary>XL330-M288-T, the Koch arm's servo (e-Manual, XL330-M288 control table, Model Number).</summary>
    public const ushort Xl330Model = 1200;
    public const byte Firmware = 52;
    public const ushort TorqueEnable = 64;
    public const ushort GoalPosition = 116;
    public const ushort PresentPosition = 132;

    private readonly TtyStream _port;
    private readonly Dictionary<byte, byte[]> _tables = [];
    private readonly Thread _thread;
    // The status packets answering one instruction, sent in one write: on the wire they follow each other with
    // only the servos' return delay between them, and each write to a serial port costs ~0.5 ms through
    // System.IO.Ports, which would otherwise be measured as the servos' slowness.
    private readonly byte[] _answer = new byte[8 * DynamixelPacket.MaxLength];
    private int _answerLength;
    private readonly Lock _gate = new();
    private volatile bool _stopping;

    public DynamixelEmulator(string portName, params byte[] ids)
    {
        foreach (byte id in ids)
        {
            var table = new byte[1024];
            BinaryPrimitives.WriteUInt16LittleEndian(table, Xl330Model);
            table[6] = Firmware;
            table[7] = id;
            BinaryPrimitives.WriteInt32LittleEndian(table.AsSpan(PresentPosition), 2048);
            _tables[id] = table;
        }
        _port = new TtyStream(portName, 1_000_000) { ReadTimeout = 50 };
        _thread = new Thread(Serve) { IsBackground = true, Name = "dynamixel-emulator" };
        _thread.Start();
    }

    /// <summary>Answers to leave out, one per status packet, from now on.</summary>
    public int DropAnswers { get; set; }

    /// <summary>Answers to send with a wrong CRC.</summary>
    public int CorruptAnswers { get; set; }

    /// <summary>How long to wait before answering.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Servos that have stopped answering (unplugged from the daisy chain).</summary>
    public HashSet<byte> Silent { get; } = [];

    /// <summary>Error bits each servo sets in its status packets (e.g. 0x80 for a hardware alert, 0x04 data range).</summary>
    public Dictionary<byte, byte> ErrorBits { get; } = [];

    /// <summary>Instruction packets received, by instruction.</summary>
    public Dictionary<DynamixelInstruction, int> Received { get; } = [];

    public int ReadInt32(byte id, ushort address)
    {
        lock (_gate)
        {
            return BinaryPrimitives.ReadInt32LittleEndian(_tables[id].AsSpan(address));
        }
    }

    public byte ReadByte(byte id, ushort address)
    {
        lock (_gate)
        {
            return _tables[id][address];
        }
    }

    public void Dispose()
    {
        _stopping = true;
        // Closing the port ends the read the serving thread is blocked in.
        _port.Dispose();
        _thread.Join();
    }

    private void Serve()
    {
        var reader = new DynamixelPacketReader(_port);
        while (!_stopping)
        {
            try
            {
                // A long wait: a packet that straddled a short deadline would be cut in two and go unanswered.
                var frame = reader.Read(TimeSpan.FromSeconds(10));
                lock (_gate)
                {
                    Received[frame.Instruction] = Received.GetValueOrDefault(frame.Instruction) + 1;
                    _answerLength = 0;
                    Answer(frame.Id, frame.Instruction, frame.Parameters);
                    if (_answerLength > 0)
                    {
                        if (AnswerDelay > TimeSpan.Zero)
                        {
                            Thread.Sleep(AnswerDelay);
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
            catch (Exception) when (_stopping)
            {
                return;
            }
        }
    }

    private void Answer(byte id, DynamixelInstruction instruction, ReadOnlySpan<byte> p)
    {
        switch (instruction)
        {
            case DynamixelInstruction.Ping when _tables.ContainsKey(id):
                // Model number (2 bytes) and firmware version.
                Reply(id, [_tables[id][0], _tables[id][1], _tables[id][6]]);
                break;
            case DynamixelInstruction.Read when _tables.ContainsKey(id):
                Reply(id, _tables[id].AsSpan(U16(p, 0), U16(p, 2)));
                break;
            case DynamixelInstruction.Write when _tables.ContainsKey(id):
                Store(id, U16(p, 0), p[2..]);
                Reply(id, []);
                break;
            case DynamixelInstruction.SyncRead:
                ushort address = U16(p, 0);
                ushort length = U16(p, 2);
                foreach (byte servo in p[4..])
                {
                    if (_tables.TryGetValue(servo, out var table))
                    {
                        Reply(servo, table.AsSpan(address, length));
                    }
                }
                break;
            case DynamixelInstruction.SyncWrite:
                ushort start = U16(p, 0);
                ushort size = U16(p, 2);
                for (int at = 4; at + 1 + size <= p.Length; at += 1 + size)
                {
                    if (_tables.ContainsKey(p[at]))
                    {
                        Store(p[at], start, p.Slice(at + 1, size));
                    }
                }
                break;
        }
    }

    private void Store(byte id, ushort address, ReadOnlySpan<byte> data)
    {
        var table = _tables[id];
        data.CopyTo(table.AsSpan(address));
        if (table[TorqueEnable] == 1)
        {
            table.AsSpan(GoalPosition, 4).CopyTo(table.AsSpan(PresentPosition));
        }
    }

    private void Reply(byte id, ReadOnlySpan<byte> data)
    {
        if (Silent.Contains(id))
        {
            return;
        }
        if (DropAnswers > 0)
        {
            DropAnswers--;
            return;
        }
        var parameters = new byte[1 + data.Length];
        parameters[0] = ErrorBits.GetValueOrDefault(id);
        data.CopyTo(parameters.AsSpan(1));
        int length = DynamixelPacket.Build(_answer.AsSpan(_answerLength), id, DynamixelInstruction.Status, parameters);
        _answerLength += length;
        if (CorruptAnswers > 0)
        {
            CorruptAnswers--;
            _answer[_answerLength - 1] ^= 0x5A;
        }
    }

    private static ushort U16(ReadOnlySpan<byte> p, int at) => BinaryPrimitives.ReadUInt16LittleEndian(p[at..]);
}
