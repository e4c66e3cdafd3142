using System.Buffers.Binary;

namespace Robotics.Hardware.Buses.Dynamixel;

/// <summary>
/// A Dynamixel Protocol 2.0 bus on a serial port (a U2D2, an OpenRB): ping, read, write, and the sync read
/// and sync write that read or command every servo of an arm in one transaction. A transaction that times out,
/// arrives corrupt or comes back with error bits is retried up to <see cref="Retries"/> times, and counted.
/// Buffers are allocated once; a transaction allocates nothing. Not thread-safe: one device thread owns a bus.
/// </summary>
public sealed class DynamixelBus : IDisposable
{
    private readonly TtyStream _port;
    private readonly DynamixelPacketReader _reader;
    private readonly byte[] _packet = new byte[DynamixelPacket.MaxLength];
    private readonly byte[] _parameters = new byte[DynamixelPacket.MaxLength];
    private readonly TimeSpan _timeout;

    /// <param name="portName">The serial device, e.g. /dev/ttyUSB0 (or a pseudo-terminal in tests).</param>
    /// <param name="baudRate">The servos' baud rate (1,000,000 is the usual for arms).</param>
    /// <param name="timeout">How long to wait for an answer; a 1 Mbaud status packet takes ~0.15 ms plus the servo's return delay.</param>
    public DynamixelBus(string portName, int baudRate, TimeSpan timeout, int retries = 2)
    {
        try
        {
            _port = new TtyStream(portName, baudRate) { ReadTimeout = Math.Max(1, (int)timeout.TotalMilliseconds) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new ServoBusException(ServoBusFault.Port, -1, $"{portName}: cannot open the serial port: {e.Message}", e);
        }
        _reader = new DynamixelPacketReader(_port);
        _timeout = timeout;
        Retries = retries;
    }

    public string PortName => _port.Path;

    /// <summary>Attempts after the first that a failing transaction gets.</summary>
    public int Retries { get; }

    /// <summary>Transactions that needed a retry (each retry counted).</summary>
    public long RetriedTransactions { get; private set; }

    /// <summary>Transactions that failed after every retry.</summary>
    public long FailedTransactions { get; private set; }

    /// <summary>Status packets with the alert bit (a hardware error the servo latched: overload, overheating, voltage).</summary>
    public long HardwareAlerts { get; private set; }

    /// <summary>The model number of the servo at <paramref name="id"/> (e.g. 1200 for an XL330-M288) and its firmware version.</summary>
    public (ushort Model, byte Firmware) Ping(byte id)
    {
        // A ping's status packet carries the model number (2 bytes) and the firmware version (1).
        Span<byte> answer = stackalloc byte[3];
        Transact(id, DynamixelInstruction.Ping, 0, answers: [id], answer);
        return (BinaryPrimitives.ReadUInt16LittleEndian(answer), answer[2]);
    }

    /// <summary>Reads <paramref name="data"/>.Length bytes of the control table from <paramref name="address"/>.</summary>
    public void Read(byte id, ushort address, Span<byte> data)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_parameters, address);
        BinaryPrimitives.WriteUInt16LittleEndian(_parameters.AsSpan(2), (ushort)data.Length);
        Transact(id, DynamixelInstruction.Read, 4, answers: [id], data);
    }

    /// <summary>Writes <paramref name="data"/> to the control table at <paramref name="address"/> and waits for the servo's acknowledgement.</summary>
    public void Write(byte id, ushort address, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_parameters, address);
        data.CopyTo(_parameters.AsSpan(2));
        Transact(id, DynamixelInstruction.Write, 2 + data.Length, answers: [id], []);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="address"/> from every servo in <paramref name="ids"/>
    /// in one transaction: one instruction, one status packet per servo in ID order. <paramref name="data"/>
    /// receives them one after another.
    /// </summary>
    public void SyncRead(ushort address, ushort length, ReadOnlySpan<byte> ids, Span<byte> data)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_parameters, address);
        BinaryPrimitives.WriteUInt16LittleEndian(_parameters.AsSpan(2), length);
        ids.CopyTo(_parameters.AsSpan(4));
        Transact(DynamixelPacket.BroadcastId, DynamixelInstruction.SyncRead, 4 + ids.Length, ids, data[..(ids.Length * length)]);
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes at <paramref name="address"/> of every servo in <paramref name="ids"/>
    /// in one broadcast packet (<paramref name="data"/> holds them one after another). Servos do not answer a
    /// sync write, so nothing confirms it: the next sync read shows what they did.
    /// </summary>
    public void SyncWrite(ushort address, ushort length, ReadOnlySpan<byte> ids, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_parameters, address);
        BinaryPrimitives.WriteUInt16LittleEndian(_parameters.AsSpan(2), length);
        int at = 4;
        for (int i = 0; i < ids.Length; i++)
        {
            _parameters[at++] = ids[i];
            data.Slice(i * length, length).CopyTo(_parameters.AsSpan(at));
            at += length;
        }
        Transact(DynamixelPacket.BroadcastId, DynamixelInstruction.SyncWrite, at, answers: [], []);
    }

    public void Dispose() => _port.Dispose();

    /// <summary>Sends the instruction whose parameters are in the buffer, then reads one status packet per answering ID.</summary>
    private void Transact(byte id, DynamixelInstruction instruction, int parameterCount, ReadOnlySpan<byte> answers, Span<byte> data)
    {
        int each = answers.IsEmpty ? 0 : data.Length / answers.Length;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Exchange(id, instruction, parameterCount, answers, data, each);
                return;
            }
            catch (ServoBusException e) when (e.Fault != ServoBusFault.Port && attempt < Retries)
            {
                RetriedTransactions++;
                DrainLine();
            }
            catch (ServoBusException)
            {
                FailedTransactions++;
                throw;
            }
        }
    }

    private void Exchange(byte id, DynamixelInstruction instruction, int parameterCount, ReadOnlySpan<byte> answers, Span<byte> data, int each)
    {
        int length = DynamixelPacket.Build(_packet, id, instruction, _parameters.AsSpan(0, parameterCount));
        try
        {
            // What is still in the input buffer is a late answer to an earlier attempt: never the one expected now.
            _port.DiscardInput();
            _reader.Discard();
            _port.Write(_packet, 0, length);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            throw new ServoBusException(ServoBusFault.Port, id, $"{_port.Path}: {e.Message}", e);
        }
        for (int i = 0; i < answers.Length; i++)
        {
            DynamixelFrame frame;
            try
            {
                frame = _reader.Read(_timeout);
            }
            catch (ServoBusException e) when (e.Fault == ServoBusFault.Timeout)
            {
                throw new ServoBusException(ServoBusFault.Timeout, answers[i], $"servo {answers[i]} did not answer within {_timeout.TotalMilliseconds:F0} ms", e);
            }
            if (frame.Instruction != DynamixelInstruction.Status || frame.Id != answers[i] || frame.Parameters.Length != 1 + each)
            {
                throw new ServoBusException(ServoBusFault.Unexpected, answers[i],
                    $"asked ID {answers[i]} for {each} bytes, got {frame.Instruction} from ID {frame.Id} with {Math.Max(0, frame.Parameters.Length - 1)}");
            }
            byte error = frame.Parameters[0];
            if ((error & 0x80) != 0)
            {
                HardwareAlerts++;
            }
            if ((error & 0x7F) != 0)
            {
                throw new ServoBusException(ServoBusFault.StatusError, frame.Id, $"servo {frame.Id}: {DescribeError(error & 0x7F)}");
            }
            frame.Parameters[1..].CopyTo(data.Slice(i * each, each));
        }
    }

    /// <summary>
    /// Waits for the line to go quiet, dropping what arrives: after a failed attempt the other servos of a sync
    /// read may still be answering, and their packets must not be read as answers to the retry.
    /// </summary>
    private void DrainLine()
    {
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (quiet.Elapsed < _timeout)
        {
            if (_port.BytesAvailable > 0)
            {
                try
                {
                    _port.DiscardInput();
                }
                catch (IOException e)
                {
                    throw new ServoBusException(ServoBusFault.Port, -1, e.Message, e);
                }
                _reader.Discard();
                quiet.Restart();
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>The error numbers of a status packet (ROBOTIS e-Manual, "Protocol 2.0", Status Packet, Error).</summary>
    public static string DescribeError(int code) => code switch
    {
        1 => "result fail (could not process the instruction)",
        2 => "instruction error (undefined instruction, or action without reg write)",
        3 => "CRC error (the packet it received was corrupt)",
        4 => "data range error (the data is out of the control table item's range)",
        5 => "data length error (shorter than the item)",
        6 => "data limit error (beyond the limit set in the control table)",
        7 => "access error (read-only item, or torque on for an EEPROM item)",
        _ => $"error {code}",
    };
}
