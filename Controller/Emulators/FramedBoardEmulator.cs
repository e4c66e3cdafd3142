using System.Diagnostics;
using Robotics.Hardware.Buses;
using Robotics.Hardware.Buses.Framed;
using Robotics.Protos;

namespace Robotics.Emulators;

/// <summary>
/// A user's own board speaking the framed-serial protocol on the far end of a pseudo-terminal (for tests
/// without hardware), as docs/robot-config.md asks of a board: it streams SAMPLEs at its own rate from the
/// start, answers HELLO with its version and counts and the output timeout it applies (the one HELLO asks
/// for; its own 200 ms from power-up until then), takes SET_OUTPUTS, and goes to its safe state (every output
/// 0) on SAFE, or by itself when no SET_OUTPUTS has come for that timeout. As a board written before output
/// timeouts, it answers the short HELLO_REPLY and applies none. Its physics: input i follows output i at once
/// where both exist (an echo); the other inputs hold what the test sets. Faults on demand: frames corrupted or
/// dropped, silence, garbage between frames, a restart, any message the test makes.
/// </summary>
public sealed class FramedBoardEmulator : IDisposable
{
    // Line noise that ends in a zero: one damaged frame to the receiver (its first code, 0x47, runs past its end).
    private static readonly byte[] Garbage = [0x47, 0x41, 0x52, 0x42, 0x41, 0x47, 0x45, 0x00];

    private readonly TtyStream _port;
    private readonly TimeSpan _samplePeriod;
    private readonly byte _version;
    private readonly bool _confirmsOutputTimeout;
    // Its own output timeout from power-up until a HELLO sets the controller's: the documented example board's 200 ms.
    private readonly ushort _powerUpOutputTimeoutMs;
    private readonly float[] _inputs;
    private readonly float[] _outputs;
    // Every value a SET_OUTPUTS ever carried, as its extremes per output: what a robot's actuators were asked to do.
    private readonly ValueExtremes _setValues;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _listener;
    private readonly Thread _streamer;
    private readonly Timer _clock;
    private long _clockStart = Stopwatch.GetTimestamp();
    private ushort _sequence;
    private int _hellos;
    private int _safes;
    private int _commands;
    private ushort _lastCommandSequence;
    private bool _safe = true;
    private ushort _outputTimeoutMs;
    private long _lastCommandNs;
    private int _watchdogTrips;
    private bool _silent;
    private int _dropFrames;
    private int _corruptFrames;
    private int _garbageBursts;

    /// <param name="version">The protocol version it answers HELLO with.</param>
    /// <param name="confirmsOutputTimeout">False for a board written before output timeouts: the short HELLO_REPLY, and no timeout applied.</param>
    public FramedBoardEmulator(string portName, int inputs, int outputs, TimeSpan samplePeriod, byte version = FramedMessage.Version, bool confirmsOutputTimeout = true)
    {
        _inputs = new float[inputs];
        _outputs = new float[outputs];
        _setValues = new ValueExtremes(outputs);
        _samplePeriod = samplePeriod;
        _version = version;
        _confirmsOutputTimeout = confirmsOutputTimeout;
        _powerUpOutputTimeoutMs = confirmsOutputTimeout ? (ushort)200 : (ushort)0;
        _outputTimeoutMs = _powerUpOutputTimeoutMs;
        _port = new TtyStream(portName, 115_200) { ReadTimeout = 50 };
        _listener = new Thread(Listen) { IsBackground = true, Name = "board-emulator-listen" };
        _streamer = new Thread(Stream) { IsBackground = true, Name = "board-emulator-stream" };
        _listener.Start();
        _streamer.Start();
        // The board's own clock, as its main loop would check: going safe when nothing comes needs no frame to run, nor a line.
        _clock = new Timer(_ => CheckOutputTimeout(), null, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5));
    }

    /// <summary>HELLOs answered.</summary>
    public int Hellos => Locked(() => _hellos);

    /// <summary>SAFE messages received.</summary>
    public int Safes => Locked(() => _safes);

    /// <summary>SET_OUTPUTS messages received.</summary>
    public int Commands => Locked(() => _commands);

    /// <summary>The sequence number of the newest SET_OUTPUTS.</summary>
    public ushort LastCommandSequence => Locked(() => _lastCommandSequence);

    /// <summary>In the safe state: at power-up, after SAFE, until the next SET_OUTPUTS.</summary>
    public bool IsSafe => Locked(() => _safe);

    /// <summary>The output timeout it applies (zero: none): its own until a HELLO sets the controller's.</summary>
    public TimeSpan OutputTimeout => Locked(() => TimeSpan.FromMilliseconds(_outputTimeoutMs));

    /// <summary>Times it went safe by itself because no SET_OUTPUTS came for its output timeout.</summary>
    public int WatchdogTrips => Locked(() => _watchdogTrips);

    /// <summary>The outputs as last set.</summary>
    public float[] Outputs => Locked(() => _outputs.ToArray());

    /// <summary>
    /// The lowest and highest finite value every SET_OUTPUTS so far carried for each output (∞ and −∞ before any), and
    /// how many values were not finite numbers: what tests assert on when nothing out of limits may reach a device.
    /// </summary>
    public (float[] Lowest, float[] Highest, int NonFinite) SetValues => Locked(_setValues.Snapshot);

    /// <summary>Sends nothing at all while set (no samples, no answers): a hung board or a cut wire.</summary>
    public bool Silent
    {
        get => Locked(() => _silent);
        set
        {
            lock (_gate)
            {
                _silent = value;
            }
        }
    }

    /// <summary>Samples to leave out from now on; their sequence numbers are used up all the same.</summary>
    public int DropFrames
    {
        get => Locked(() => _dropFrames);
        set
        {
            lock (_gate)
            {
                _dropFrames = value;
            }
        }
    }

    /// <summary>Frames to send with a byte changed.</summary>
    public int CorruptFrames
    {
        get => Locked(() => _corruptFrames);
        set
        {
            lock (_gate)
            {
                _corruptFrames = value;
            }
        }
    }

    /// <summary>Frames to send with a burst of garbage before each.</summary>
    public int GarbageBursts
    {
        get => Locked(() => _garbageBursts);
        set
        {
            lock (_gate)
            {
                _garbageBursts = value;
            }
        }
    }

    /// <summary>Sets an input that no output drives (a sensor reading).</summary>
    public void SetInput(int index, float value)
    {
        lock (_gate)
        {
            _inputs[index] = value;
        }
    }

    /// <summary>A reset (a brown-out, say): the board's clock and sequence start again from zero, its outputs safe.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            _clockStart = Stopwatch.GetTimestamp();
            _sequence = 0;
            _outputTimeoutMs = _powerUpOutputTimeoutMs;
            GoSafe();
        }
    }

    /// <summary>Sends a message of the test's making (an ERROR, say, or one no controller expects).</summary>
    public void SendMessage(ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            Send(payload);
        }
    }

    public void Dispose()
    {
        _clock.Dispose();
        _stop.Cancel();
        // The threads end first (the listener within its 50 ms read timeout): a descriptor closed under them
        // could be reused by the next pseudo-terminal opened, and read or written by mistake.
        _listener.Join();
        _streamer.Join();
        _port.Dispose();
        _stop.Dispose();
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    private void Stream()
    {
        var payload = new byte[FramedMessage.MaxPayload];
        var values = new float[_inputs.Length];
        while (!_stop.Token.WaitHandle.WaitOne(_samplePeriod))
        {
            lock (_gate)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = i < _outputs.Length ? _outputs[i] : _inputs[i];
                }
                uint now = (uint)((Stopwatch.GetTimestamp() - _clockStart) * 1_000_000 / Stopwatch.Frequency);
                int length = FramedMessage.WriteSample(payload, _sequence++, now, values);
                if (_dropFrames > 0)
                {
                    _dropFrames--;
                    continue;
                }
                if (!Send(payload.AsSpan(0, length)))
                {
                    return;
                }
            }
        }
    }

    private void Listen()
    {
        var received = new byte[512];
        var frame = new List<byte>();
        var payload = new byte[FramedPacket.MaxFrameLength(FramedMessage.MaxPayload)];
        while (!_stop.IsCancellationRequested)
        {
            int count;
            try
            {
                count = _port.Read(received);
            }
            catch (TimeoutException)
            {
                continue;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The line is gone (socat killed, or disposed): the board is unplugged.
                return;
            }
            foreach (byte b in received.AsSpan(0, count))
            {
                if (b != FramedPacket.Delimiter)
                {
                    frame.Add(b);
                    continue;
                }
                // A damaged frame is ignored, as a board would: the controller sends again next period.
                if (frame.Count > 0 && FramedPacket.TryDecode([.. frame], payload, out int length, out _))
                {
                    lock (_gate)
                    {
                        Handle(payload.AsSpan(0, length));
                    }
                }
                frame.Clear();
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> payload)
    {
        switch (FramedMessage.TypeOf(payload))
        {
            case FramedMessageType.Hello when !_silent && FramedMessage.TryReadHello(payload, out ushort? timeoutMs):
                _hellos++;
                if (_confirmsOutputTimeout && timeoutMs is ushort asked)
                {
                    _outputTimeoutMs = asked;
                }
                Span<byte> reply = stackalloc byte[FramedMessage.MaxPayload];
                Send(reply[..FramedMessage.WriteHelloReply(reply, _version, _inputs.Length, _outputs.Length, _confirmsOutputTimeout ? _outputTimeoutMs : null)]);
                break;
            case FramedMessageType.SetOutputs when FramedMessage.TryReadSetOutputs(payload, _outputs, out ushort sequence):
                _commands++;
                _setValues.Record(_outputs);
                _lastCommandSequence = sequence;
                _lastCommandNs = MonotonicClock.NowNs();
                _safe = false;
                break;
            case FramedMessageType.Safe:
                _safes++;
                GoSafe();
                break;
        }
    }

    /// <summary>Out of the safe state with no SET_OUTPUTS for the output timeout: safe, until the next one.</summary>
    private void CheckOutputTimeout()
    {
        lock (_gate)
        {
            if (!_safe && _outputTimeoutMs > 0 && MonotonicClock.NowNs() - _lastCommandNs > _outputTimeoutMs * 1_000_000L)
            {
                _watchdogTrips++;
                GoSafe();
            }
        }
    }

    private void GoSafe()
    {
        Array.Clear(_outputs);
        _safe = true;
    }

    /// <summary>Sends one frame with the faults asked for (the caller holds the lock); false once the line is gone.</summary>
    private bool Send(ReadOnlySpan<byte> payload)
    {
        if (_silent)
        {
            return true;
        }
        var frame = new byte[FramedPacket.MaxFrameLength(payload.Length)];
        int length = FramedPacket.Encode(payload, frame);
        if (_corruptFrames > 0)
        {
            _corruptFrames--;
            // A changed byte mid-frame, never to zero (that would split it in two).
            frame[length / 2] = frame[length / 2] == 0xA5 ? (byte)0x5A : (byte)0xA5;
        }
        try
        {
            if (_garbageBursts > 0)
            {
                _garbageBursts--;
                _port.Write(Garbage);
            }
            _port.Write(frame, 0, length);
            return true;
        }
        catch (TimeoutException)
        {
            // Nobody reading on the other end: the bytes are lost, as a UART's would be.
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return false;
        }
    }
}
