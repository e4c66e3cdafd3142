namespace Robotics.Hardware.Buses.Framed;

/// <summary>
/// Frames (<see cref="FramedPacket"/>) over a serial line: sends a payload as one frame, and collects what
/// arrives into frames at each zero byte, dropping damaged ones. A frame cut off by a deadline is kept and
/// finished by the next call; a receiver that joins mid-frame loses only that frame. Buffers are allocated
/// once, nothing per frame. One device thread owns a link.
/// </summary>
public sealed class FramedLink : IDisposable
{
    private readonly TtyStream _port;
    private readonly PortInput _input;
    // Encoded bytes of the frame being received: no message's frame is longer (an overlong one is damage).
    private readonly byte[] _frame = new byte[Cobs.MaxEncodedLength(FramedMessage.MaxPayload + 2)];
    private readonly byte[] _payload;
    private readonly byte[] _sent = new byte[FramedPacket.MaxFrameLength(FramedMessage.MaxPayload)];
    private int _received;
    private bool _overlong;

    /// <param name="readTimeout">The longest a read of the port waits (a receive's own deadline is checked against it).</param>
    /// <exception cref="ServoBusException">The port cannot be opened.</exception>
    public FramedLink(string port, int baudRate, TimeSpan readTimeout)
    {
        _port = TtyStream.OpenLine(port, baudRate, readTimeout);
        _input = new PortInput(_port);
        _payload = new byte[_frame.Length];
    }

    public string Port => _port.Path;

    /// <summary>Whether bytes have arrived that no receive has taken: a receive then starts without waiting.</summary>
    public bool HasInput => _input.Buffered || _port.BytesAvailable > 0;

    /// <exception cref="ServoBusException">The port failed (a port fault).</exception>
    public void Send(ReadOnlySpan<byte> payload)
    {
        int length = FramedPacket.Encode(payload, _sent);
        try
        {
            _port.Write(_sent, 0, length);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            throw new ServoBusException(ServoBusFault.Port, -1, $"{_port.Path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads until the next frame ends: true with its payload (valid until the next call), false for a damaged
    /// frame (bad COBS, bad CRC, or longer than any message), which is dropped. Empty frames (a lone zero, which
    /// a board may send to end whatever came before it) are skipped.
    /// </summary>
    /// <exception cref="ServoBusException">The deadline passed before a frame ended (a timeout), or the port failed.</exception>
    public bool TryReceive(long deadline, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        while (true)
        {
            byte b = _input.Next(deadline);
            if (b != FramedPacket.Delimiter)
            {
                if (_received < _frame.Length)
                {
                    _frame[_received++] = b;
                }
                else
                {
                    _overlong = true;
                }
                continue;
            }
            int length = _received;
            bool overlong = _overlong;
            (_received, _overlong) = (0, false);
            if (overlong)
            {
                return false;
            }
            if (length == 0)
            {
                continue;
            }
            if (!FramedPacket.TryDecode(_frame.AsSpan(0, length), _payload, out int payloadLength, out _))
            {
                return false;
            }
            payload = _payload.AsSpan(0, payloadLength);
            return true;
        }
    }

    public void Dispose() => _port.Dispose();
}
