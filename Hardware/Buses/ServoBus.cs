using System.Buffers.Binary;

namespace Robotics.Hardware.Buses;

/// <summary>
/// Instruction codes that Dynamixel (Protocol 1.0 and 2.0) and Feetech STS/SCS servos share (ROBOTIS e-Manual,
/// "Protocol 2.0", Instruction; Feetech STS3215 memory table and communication protocol manual).
/// </summary>
public enum ServoInstruction : byte
{
    Ping = 0x01,
    Read = 0x02,
    Write = 0x03,
    SyncRead = 0x82,
    SyncWrite = 0x83,
}

/// <summary>One servo's answer: who sent it, its error byte, its data.</summary>
public readonly ref struct ServoStatus(byte id, byte error, ReadOnlySpan<byte> data)
{
    public byte Id { get; } = id;

    public byte Error { get; } = error;

    public ReadOnlySpan<byte> Data { get; } = data;
}

/// <summary>
/// A half-duplex servo bus on a serial port: read, write, and the sync read and sync write that read or command
/// every servo of an arm in one transaction, whatever the protocol's framing (<see cref="Dynamixel.DynamixelBus"/>,
/// Feetech STS to come). A transaction that times out, arrives corrupt or comes back with error
/// bits is retried up to <see cref="Retries"/> times after the line has gone quiet, and counted. Buffers are
/// allocated once; a transaction allocates nothing. Not thread-safe: one device thread owns a bus.
/// </summary>
public abstract class ServoBus : IDisposable
{
    public const byte BroadcastId = 0xFE;
    private const int MaxParameters = 1024;
    private readonly byte[] _packet = new byte[2 * MaxParameters];
    private TimeSpan _timeout;

    /// <param name="timeout">How long to wait for an answer; a 1 Mbaud status packet takes ~0.15 ms plus the servo's return delay.</param>
    protected ServoBus(string portName, int baudRate, TimeSpan timeout, int retries)
    {
        Port = TtyStream.OpenLine(portName, baudRate, timeout);
        _timeout = timeout;
        Retries = retries;
    }

    /// <summary>How long a transaction waits for each answer (and for the line to go quiet before a retry).</summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
    }

    public string PortName => Port.Path;

    /// <summary>Attempts after the first that a failing transaction gets.</summary>
    public int Retries { get; }

    /// <summary>Transactions that needed a retry (each retry counted).</summary>
    public long RetriedTransactions { get; private set; }

    /// <summary>Transactions that failed after every retry.</summary>
    public long FailedTransactions { get; private set; }

    /// <summary>Answers flagging a hardware condition the servo latched (overload, overheating, voltage); their data still counts.</summary>
    public long HardwareAlerts { get; private set; }

    protected TtyStream Port { get; }

    /// <summary>Where an instruction's parameters are put before <see cref="Transact"/> sends them.</summary>
    protected byte[] Parameters { get; } = new byte[MaxParameters];

    /// <summary>Bytes of an address (and of a length) in this protocol's read and sync instructions.</summary>
    protected abstract int AddressWidth { get; }

    /// <summary>Reads <paramref name="data"/>.Length bytes of the control table from <paramref name="address"/>.</summary>
    public void Read(byte id, ushort address, Span<byte> data)
    {
        int at = PutAddress(0, address);
        at = PutAddress(at, (ushort)data.Length);
        Transact(id, ServoInstruction.Read, at, answers: [id], data);
    }

    /// <summary>Writes <paramref name="data"/> to the control table at <paramref name="address"/> and waits for the servo's acknowledgement.</summary>
    public void Write(byte id, ushort address, ReadOnlySpan<byte> data)
    {
        int at = PutAddress(0, address);
        data.CopyTo(Parameters.AsSpan(at));
        Transact(id, ServoInstruction.Write, at + data.Length, answers: [id], []);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="address"/> from every servo in <paramref name="ids"/>
    /// in one transaction: one instruction, one status packet per servo in ID order. <paramref name="data"/>
    /// receives them one after another.
    /// </summary>
    public void SyncRead(ushort address, ushort length, ReadOnlySpan<byte> ids, Span<byte> data)
    {
        int at = PutAddress(0, address);
        at = PutAddress(at, length);
        ids.CopyTo(Parameters.AsSpan(at));
        Transact(BroadcastId, ServoInstruction.SyncRead, at + ids.Length, ids, data[..(ids.Length * length)]);
    }

    /// <summary>
    /// Writes <paramref name="length"/> bytes at <paramref name="address"/> of every servo in <paramref name="ids"/>
    /// in one broadcast packet (<paramref name="data"/> holds them one after another). Servos do not answer a
    /// sync write, so nothing confirms it: the next sync read shows what they did.
    /// </summary>
    public void SyncWrite(ushort address, ushort length, ReadOnlySpan<byte> ids, ReadOnlySpan<byte> data)
    {
        int at = PutAddress(0, address);
        at = PutAddress(at, length);
        for (int i = 0; i < ids.Length; i++)
        {
            Parameters[at++] = ids[i];
            data.Slice(i * length, length).CopyTo(Parameters.AsSpan(at));
            at += length;
        }
        Transact(BroadcastId, ServoInstruction.SyncWrite, at, answers: [], []);
    }

    public void Dispose()
    {
        Port.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes the packet for an instruction into <paramref name="packet"/>; returns its length.</summary>
    protected abstract int Build(Span<byte> packet, byte id, ServoInstruction instruction, ReadOnlySpan<byte> parameters);

    /// <summary>Reads the next status packet.</summary>
    /// <exception cref="ServoBusException">Timeout, corrupt, or not a status packet.</exception>
    protected abstract ServoStatus ReadStatus(TimeSpan timeout);

    /// <summary>Forgets what the packet reader holds of bytes received earlier.</summary>
    protected abstract void DiscardReceived();

    /// <summary>What an error byte means: a failure to report (null for none), and whether it flags a hardware alert.</summary>
    protected abstract string? Describe(byte error, out bool alert);

    /// <summary>Sends the instruction whose parameters are in <see cref="Parameters"/>, then reads one status packet per answering ID.</summary>
    protected void Transact(byte id, ServoInstruction instruction, int parameterCount, ReadOnlySpan<byte> answers, Span<byte> data)
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

    private int PutAddress(int at, ushort value)
    {
        if (AddressWidth == 1)
        {
            Parameters[at] = (byte)value;
            return at + 1;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(Parameters.AsSpan(at), value);
        return at + 2;
    }

    private void Exchange(byte id, ServoInstruction instruction, int parameterCount, ReadOnlySpan<byte> answers, Span<byte> data, int each)
    {
        int length = Build(_packet, id, instruction, Parameters.AsSpan(0, parameterCount));
        try
        {
            // What is still in the input buffer is a late answer to an earlier attempt: never the one expected now.
            Port.DiscardInput();
            DiscardReceived();
            Port.Write(_packet, 0, length);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            throw new ServoBusException(ServoBusFault.Port, id, $"{Port.Path}: {e.Message}", e);
        }
        for (int i = 0; i < answers.Length; i++)
        {
            ServoStatus status;
            try
            {
                status = ReadStatus(_timeout);
            }
            catch (ServoBusException e) when (e.Fault == ServoBusFault.Timeout)
            {
                throw new ServoBusException(ServoBusFault.Timeout, answers[i], $"servo {answers[i]} did not answer within {_timeout.TotalMilliseconds:F0} ms", e);
            }
            if (status.Id != answers[i] || status.Data.Length != each)
            {
                throw new ServoBusException(ServoBusFault.Unexpected, answers[i],
                    $"asked ID {answers[i]} for {each} bytes, got {status.Data.Length} from ID {status.Id}");
            }
            string? failure = Describe(status.Error, out bool alert);
            if (alert)
            {
                HardwareAlerts++;
            }
            if (failure is not null)
            {
                throw new ServoBusException(ServoBusFault.StatusError, status.Id, $"servo {status.Id}: {failure}");
            }
            status.Data.CopyTo(data.Slice(i * each, each));
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
            if (Port.BytesAvailable > 0)
            {
                try
                {
                    Port.DiscardInput();
                }
                catch (IOException e)
                {
                    throw new ServoBusException(ServoBusFault.Port, -1, e.Message, e);
                }
                DiscardReceived();
                quiet.Restart();
            }
            Thread.Sleep(1);
        }
    }
}
