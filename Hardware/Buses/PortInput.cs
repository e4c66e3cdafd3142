using System.Diagnostics;

namespace Robotics.Hardware.Buses;

/// <summary>
/// The bytes a serial port has delivered, read against a deadline: each read of the port takes everything it
/// has, and packet readers take from here byte by byte or in runs. A read that ends past the deadline is a
/// timeout (an answer that late is too late). Nothing allocated per read.
/// </summary>
public sealed class PortInput(Stream stream)
{
    private readonly byte[] _input = new byte[4096];
    private int _start;
    private int _end;

    /// <summary>The deadline <paramref name="timeout"/> from now, in <see cref="Stopwatch"/> ticks.</summary>
    public static long Deadline(TimeSpan timeout) => Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Whether bytes read from the port wait here to be taken (bytes still in the port's own buffer are not counted).</summary>
    public bool Buffered => _start < _end;

    /// <summary>Forgets bytes received but not yet taken: the bus calls it with the port's own discard.</summary>
    public void Discard() => (_start, _end) = (0, 0);

    /// <exception cref="ServoBusException">Timeout, or the port failed.</exception>
    public byte Next(long deadline)
    {
        Fill(deadline);
        return _input[_start++];
    }

    /// <exception cref="ServoBusException">Timeout, or the port failed.</exception>
    public void ReadExactly(Span<byte> destination, long deadline)
    {
        int read = 0;
        while (read < destination.Length)
        {
            Fill(deadline);
            int take = Math.Min(destination.Length - read, _end - _start);
            _input.AsSpan(_start, take).CopyTo(destination[read..]);
            _start += take;
            read += take;
        }
    }

    private void Fill(long deadline)
    {
        while (_start == _end)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new ServoBusException(ServoBusFault.Timeout, -1, "no complete answer on the bus within the timeout");
            }
            int got;
            try
            {
                got = stream.Read(_input, 0, _input.Length);
            }
            catch (TimeoutException)
            {
                continue;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The adapter was unplugged, or the port closed under us.
                throw new ServoBusException(ServoBusFault.Port, -1, $"the serial port failed: {e.Message}", e);
            }
            if (got == 0)
            {
                throw new ServoBusException(ServoBusFault.Port, -1, "the serial port closed");
            }
            (_start, _end) = (0, got);
            if (Stopwatch.GetTimestamp() > deadline)
            {
                // The port's own timeout let a read run past ours: what came that late is too late.
                throw new ServoBusException(ServoBusFault.Timeout, -1, "no complete answer on the bus within the timeout");
            }
        }
    }
}
