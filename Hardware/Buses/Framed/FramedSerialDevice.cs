using Robotics.Hardware.Config;
using Robotics.Hardware.Devices;

namespace Robotics.Hardware.Buses.Framed;

/// <summary>
/// The <c>framed-serial</c> device: a user's own microcontroller board speaking the framed-serial protocol
/// (<see cref="FramedMessage"/>; docs/robot-config.md, "framed-serial"). On opening, the board is sent HELLO
/// with the output timeout it is to apply, and must answer with the input and output counts the config lists;
/// a board that does not confirm that timeout is still driven, with a note saying what that means. The board
/// streams SAMPLEs at its own rate; each period the device takes every frame that has arrived and keeps the
/// newest sample (waiting up to the timeout when none has), then sends the newest outputs in a SET_OUTPUTS, or
/// SAFE while halted. Damaged frames are dropped and counted, a gap in the board's sequence numbers counts as
/// missed samples, and an adapter that disappears is reopened (and the board greeted again) when it comes back.
/// </summary>
public sealed class FramedSerialDevice : PolledDevice
{
    public const string Type = "framed-serial";

    private readonly FramedSerialSettings _settings;
    private readonly ReopenSchedule _reopen = new();
    private readonly byte[] _message = new byte[FramedMessage.MaxPayload];
    private readonly List<string> _notes = [];
    private FramedLink? _link;
    private bool _greeted;
    private long _greetAt;
    private ushort _outputSequence;
    private bool _sampled;
    private ushort _lastSequence;
    private uint _lastBoardTime;
    private long _corruptFrames;
    private long _unexpectedFrames;
    private long _boardErrors;
    private long _lastBoardError;
    private long _missedSamples;
    private long _boardRestarts;
    private long _boardOutputTimeoutMs;

    public FramedSerialDevice(string name, FramedSerialSettings settings)
        : base(name, settings.Inputs, settings.Outputs, settings.Period) => _settings = settings;

    /// <summary>Frames dropped for bad COBS, a bad CRC, or a length no message has.</summary>
    public long CorruptFrames => Interlocked.Read(ref _corruptFrames);

    /// <summary>Intact frames this controller does not take: an unknown type, or the wrong length for their type.</summary>
    public long UnexpectedFrames => Interlocked.Read(ref _unexpectedFrames);

    /// <summary>ERROR messages the board sent.</summary>
    public long BoardErrors => Interlocked.Read(ref _boardErrors);

    /// <summary>The code of the newest ERROR (the board's own numbering), 0 before any.</summary>
    public long LastBoardError => Interlocked.Read(ref _lastBoardError);

    /// <summary>Samples the board sent that never arrived intact (gaps in its sequence numbers).</summary>
    public long MissedSamples => Interlocked.Read(ref _missedSamples);

    /// <summary>Times the board's clock went back in a sample: it restarted (a brown-out, a watchdog reset).</summary>
    public long BoardRestarts => Interlocked.Read(ref _boardRestarts);

    /// <summary>Times the adapter was opened again, and the board greeted, after it went away.</summary>
    public long Reopens => _reopen.Reopens;

    /// <summary>The output timeout the board confirmed at its latest greeting (ms), 0 when it applies none or does not say.</summary>
    public long BoardOutputTimeoutMs => Interlocked.Read(ref _boardOutputTimeoutMs);

    /// <summary>Set once, when the device starts: the board does not apply the output timeout asked for.</summary>
    public override IReadOnlyList<string> Notes => _notes;

    public static IDevice FromConfig(DeviceConfig config) => new FramedSerialDevice(config.Name!, FramedSerialSettings.From(config));

    protected override void AddCounters(Dictionary<string, long> counters)
    {
        counters["corrupt_frames"] = CorruptFrames;
        counters["unexpected_frames"] = UnexpectedFrames;
        counters["board_errors"] = BoardErrors;
        counters["last_board_error"] = LastBoardError;
        counters["missed_samples"] = MissedSamples;
        counters["board_restarts"] = BoardRestarts;
        counters["reopens"] = Reopens;
        counters["board_output_timeout_ms"] = BoardOutputTimeoutMs;
    }

    /// <summary>Opens the port and greets the board: a robot does not start with its board missing or mismatched.</summary>
    /// <exception cref="ServoBusException">The port cannot be opened, or the board does not answer.</exception>
    /// <exception cref="InvalidDataException">The board speaks another protocol version, or its counts differ from the config's.</exception>
    protected override void Open()
    {
        _link = new FramedLink(_settings.Port, _settings.Baud, _settings.Timeout);
        if (_settings.Boot > TimeSpan.Zero)
        {
            // A board that resets when its port opens (an Arduino Uno) is in its bootloader until then.
            Thread.Sleep(_settings.Boot);
        }
        try
        {
            ushort? confirmed = Greet(_link);
            if (OutputTimeoutNote(_link.Port, confirmed) is string note)
            {
                _notes.Add(note);
            }
        }
        catch
        {
            // A start that fails leaves nothing open: the caller may only dispose the device.
            Close();
            throw;
        }
    }

    /// <summary>A lost SAMPLE frame: the poll waits its timeout, and the next period's poll takes the next one.</summary>
    protected override TimeSpan RetryCost => _settings.Timeout;

    protected override bool Poll(Span<float> inputs)
    {
        if (!Ready())
        {
            return false;
        }
        long deadline = PortInput.Deadline(_settings.Timeout);
        bool fresh = false;
        try
        {
            // Once a new sample is in, only frames already received are taken: the newest wins, and nothing waits.
            while (!fresh || _link!.HasInput)
            {
                if (!_link!.TryReceive(deadline, out var payload))
                {
                    Interlocked.Increment(ref _corruptFrames);
                    continue;
                }
                fresh |= Take(payload, inputs);
            }
        }
        catch (ServoBusException e) when (e.Fault == ServoBusFault.Timeout)
        {
            // No sample within the timeout, or the one after a new sample is still arriving: the next poll finishes it.
        }
        catch (ServoBusException)
        {
            Lost();
        }
        return fresh;
    }

    protected override bool Send(ReadOnlySpan<float> outputs)
    {
        if (outputs.IsEmpty)
        {
            // A board without outputs is never commanded.
            return true;
        }
        return _greeted && Transmit(FramedMessage.WriteSetOutputs(_message, _outputSequence++, outputs));
    }

    protected override void SendSafe()
    {
        if (_greeted)
        {
            Transmit(FramedMessage.WriteSafe(_message));
        }
    }

    protected override void Close()
    {
        _link?.Dispose();
        _link = null;
        _greeted = false;
    }

    /// <summary>
    /// Whether the board can be polled: after a port fault the adapter is reopened every half second once it is
    /// back, and the board greeted once it has had its boot time (counted as a reopen when it answers).
    /// </summary>
    private bool Ready()
    {
        if (_greeted)
        {
            return true;
        }
        if (_link is null)
        {
            if (!_reopen.Due(_settings.Port))
            {
                return false;
            }
            try
            {
                _link = new FramedLink(_settings.Port, _settings.Baud, _settings.Timeout);
            }
            catch (ServoBusException)
            {
                return false;
            }
            _greetAt = Environment.TickCount64 + (long)_settings.Boot.TotalMilliseconds;
        }
        if (Environment.TickCount64 < _greetAt)
        {
            return false;
        }
        try
        {
            Greet(_link);
        }
        catch (Exception e) when (e is ServoBusException or InvalidDataException)
        {
            // Not the board, or not yet: closed, and tried again with the adapter.
            Lost();
            return false;
        }
        _reopen.Reopened();
        return true;
    }

    /// <summary>
    /// Sends HELLO until the board answers (1 + retries tries, each waiting the timeout) and checks its answer;
    /// returns the output timeout the board confirmed (null: its reply has none).
    /// </summary>
    private ushort? Greet(FramedLink link)
    {
        for (int attempt = 0; attempt <= _settings.Retries; attempt++)
        {
            link.Send(_message.AsSpan(0, FramedMessage.WriteHello(_message, OutputTimeoutMs)));
            long deadline = PortInput.Deadline(_settings.Timeout);
            try
            {
                while (true)
                {
                    if (!link.TryReceive(deadline, out var payload))
                    {
                        Interlocked.Increment(ref _corruptFrames);
                    }
                    else if (FramedMessage.TryReadHelloReply(payload, out byte version, out int inputs, out int outputs, out ushort? outputTimeoutMs))
                    {
                        Check(link, version, inputs, outputs);
                        Interlocked.Exchange(ref _boardOutputTimeoutMs, outputTimeoutMs ?? 0);
                        _greeted = true;
                        _sampled = false;
                        return outputTimeoutMs;
                    }
                    else if (FramedMessage.TryReadError(payload, out byte code))
                    {
                        BoardError(code);
                    }
                    // Anything else (samples streaming before the answer) waits for the counts to be checked.
                }
            }
            catch (ServoBusException e) when (e.Fault == ServoBusFault.Timeout)
            {
                // Not answered in time: HELLO again.
            }
        }
        throw new ServoBusException(ServoBusFault.Timeout, -1,
            $"{Name}: no HELLO_REPLY from the board on {link.Port} in {_settings.Retries + 1} tries of {_settings.Timeout.TotalMilliseconds:F0} ms " +
            $"(is it running the framed-serial protocol at {_settings.Baud} baud?{(_settings.Boot == TimeSpan.Zero ? " does it reset when the port opens? then set boot_ms" : "")})");
    }

    private void Check(FramedLink link, byte version, int inputs, int outputs)
    {
        if (version != FramedMessage.Version)
        {
            throw new InvalidDataException($"{Name}: the board on {link.Port} speaks framed-serial protocol version {version}; this controller speaks version {FramedMessage.Version}");
        }
        var mismatches = new List<string>();
        if (inputs != Inputs.Count)
        {
            mismatches.Add($"{inputs} inputs where settings.inputs lists {Inputs.Count} ({string.Join(", ", Inputs)})");
        }
        if (outputs != Outputs.Count)
        {
            mismatches.Add($"{outputs} outputs where settings.outputs lists {Outputs.Count}{(Outputs.Count == 0 ? "" : $" ({string.Join(", ", Outputs)})")}");
        }
        if (mismatches.Count > 0)
        {
            throw new InvalidDataException($"{Name}: the board on {link.Port} has {string.Join(" and ", mismatches)}");
        }
    }

    private ushort OutputTimeoutMs => (ushort)_settings.OutputTimeout.TotalMilliseconds;

    /// <summary>
    /// What it means that the board confirmed <paramref name="confirmed"/> rather than the output timeout asked for,
    /// or null when it applies that one (or has no outputs for it to cover).
    /// </summary>
    private string? OutputTimeoutNote(string port, ushort? confirmed)
    {
        if (Outputs.Count == 0 || (confirmed ?? 0) == OutputTimeoutMs)
        {
            return null;
        }
        string asked = OutputTimeoutMs == 0 ? "none" : $"{OutputTimeoutMs} ms";
        return confirmed switch
        {
            null => $"{Name}: the board on {port} does not confirm an output timeout (its HELLO_REPLY is the short one of a board written before them) " +
                $"where output_timeout_ms asks for {asked}: when the controller dies its outputs stay as they were",
            0 => $"{Name}: the board on {port} applies no output timeout where output_timeout_ms asks for {asked}: when the controller dies its outputs stay as they were",
            _ => $"{Name}: the board on {port} applies an output timeout of {confirmed} ms where output_timeout_ms asks for {asked}: " +
                $"when the controller dies its outputs stay as they were for {confirmed} ms",
        };
    }

    /// <summary>Handles one received message; true when it was a new sample, now in <paramref name="inputs"/>.</summary>
    private bool Take(ReadOnlySpan<byte> payload, Span<float> inputs)
    {
        switch (FramedMessage.TypeOf(payload))
        {
            case FramedMessageType.Sample when FramedMessage.TryReadSample(payload, inputs, out ushort sequence, out uint boardTime):
                Track(sequence, boardTime);
                return true;
            case FramedMessageType.Error when FramedMessage.TryReadError(payload, out byte code):
                BoardError(code);
                return false;
            case FramedMessageType.HelloReply:
                // A late answer to a HELLO sent again.
                return false;
            default:
                Interlocked.Increment(ref _unexpectedFrames);
                return false;
        }
    }

    /// <summary>Counts the samples lost between this one and the last, and board restarts.</summary>
    private void Track(ushort sequence, uint boardTime)
    {
        if (_sampled)
        {
            // The clock running back means a restart, which restarts the sequence too: that gap is no loss. A µs
            // clock in 32 bits wraps every 71.6 minutes; read modulo 2³² a wrap runs forward, and a restart is
            // recognised when it comes within 35.8 minutes of power-up or of the last wrap (later, its gap
            // counts as missed samples instead).
            if ((int)(boardTime - _lastBoardTime) < 0)
            {
                Interlocked.Increment(ref _boardRestarts);
            }
            else if ((ushort)(sequence - _lastSequence) > 1)
            {
                Interlocked.Add(ref _missedSamples, (ushort)(sequence - _lastSequence) - 1);
            }
        }
        (_sampled, _lastSequence, _lastBoardTime) = (true, sequence, boardTime);
    }

    private void BoardError(byte code)
    {
        Interlocked.Increment(ref _boardErrors);
        Interlocked.Exchange(ref _lastBoardError, code);
    }

    private bool Transmit(int length)
    {
        try
        {
            _link!.Send(_message.AsSpan(0, length));
            return true;
        }
        catch (ServoBusException)
        {
            Lost();
            return false;
        }
    }

    /// <summary>A port fault means the adapter is gone: close it and try again every half second.</summary>
    private void Lost()
    {
        Close();
        _reopen.Lost();
    }
}
