using System.IO.Ports;
using System.Runtime.InteropServices;
using Robotics.Hardware.Native;
using static Robotics.Hardware.Native.LibC;

namespace Robotics.Hardware.Buses;

/// <summary>
/// A serial port read and written through its file descriptor (Linux): System.IO.Ports sets the line up (baud
/// rate, 8N1, raw), then this stream does the I/O with poll(2), read(2) and write(2). Through
/// <c>SerialPort.BaseStream</c> every read and every write cost ~0.5 ms of its I/O loop (docs/benchmarks.md),
/// several times the wire time of a servo's answer at 1 Mbaud; here a read returns as soon as bytes arrive.
/// </summary>
public sealed partial class TtyStream : Stream
{
    // <termios.h>, <asm-generic/ioctls.h>: the same values on x86-64 and arm64 Linux.
    private const int FlushInput = 0;
    private const uint BytesWaitingRequest = 0x541B;

    private readonly int _fd;

    /// <param name="path">The serial device.</param>
    /// <param name="baudRate">Its baud rate.</param>
    /// <exception cref="IOException">The device cannot be opened or set up.</exception>
    public TtyStream(string path, int baudRate)
    {
        // SerialPort puts the line in raw 8N1 mode at the baud rate. Our descriptor is opened before SerialPort
        // closes its own, so the line is never fully closed (which would drop DTR and reset some boards).
        using var setup = new SerialPort(path, baudRate, Parity.None, 8, StopBits.One);
        setup.Open();
        _fd = Open(path, ReadWrite | NoControllingTerminal | NonBlocking);
        if (_fd < 0)
        {
            throw new IOException($"{path}: open failed (errno {Marshal.GetLastPInvokeError()})");
        }
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens a bus's line, waiting up to <paramref name="readTimeout"/> per read; any failure to open is a port fault.</summary>
    /// <exception cref="ServoBusException">No such device (the message lists the ports there are), no permission, or not a serial line.</exception>
    public static TtyStream OpenLine(string path, int baudRate, TimeSpan readTimeout)
    {
        if (!File.Exists(path))
        {
            // SerialPort says "Access to the port is denied" for a port that is not there.
            throw new ServoBusException(ServoBusFault.Port, -1, SerialPortList.ThisComputer.Missing(path));
        }
        try
        {
            return new TtyStream(path, baudRate) { ReadTimeout = Math.Max(1, (int)readTimeout.TotalMilliseconds) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new ServoBusException(ServoBusFault.Port, -1, $"{path}: cannot open the serial port: {e.Message}", e);
        }
    }

    /// <summary>How long a read waits for the first byte before throwing <see cref="TimeoutException"/>, in milliseconds.</summary>
    public override int ReadTimeout { get; set; } = 100;

    /// <summary>How long a write waits for room in the output buffer, in milliseconds.</summary>
    public override int WriteTimeout { get; set; } = 100;

    public override bool CanTimeout => true;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Bytes received and not yet read.</summary>
    public int BytesAvailable => IoctlInt(_fd, BytesWaitingRequest, out int count) == 0 ? count : 0;

    /// <summary>Drops what has been received and not read.</summary>
    /// <exception cref="IOException">The line is gone.</exception>
    public void DiscardInput()
    {
        if (tcflush(_fd, FlushInput) != 0)
        {
            throw new IOException($"{Path}: tcflush failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Returns what has arrived, at least one byte, waiting up to <see cref="ReadTimeout"/> for it.</summary>
    /// <exception cref="TimeoutException">Nothing came.</exception>
    /// <exception cref="IOException">The line hung up (the adapter was pulled) or failed.</exception>
    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            Wait(PollIn, ReadTimeout);
            nint got = LibC.Read(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (got > 0)
            {
                return (int)got;
            }
            if (got == 0)
            {
                return 0;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (TryAgain or Interrupted))
            {
                throw new IOException($"{Path}: read failed (errno {errno})");
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            nint wrote = LibC.Write(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (wrote > 0)
            {
                buffer = buffer[(int)wrote..];
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (TryAgain or Interrupted))
            {
                throw new IOException($"{Path}: write failed (errno {errno})");
            }
            Wait(PollOut, WriteTimeout);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _ = LibC.Close(_fd);
        base.Dispose(disposing);
    }

    private void Wait(short events, int timeoutMs)
    {
        var poll = new PollFd { Fd = _fd, Events = events };
        int ready = Poll(ref poll, 1, timeoutMs);
        if (ready == 0)
        {
            throw new TimeoutException($"{Path}: nothing within {timeoutMs} ms");
        }
        if (ready < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Interrupted)
            {
                return;
            }
            throw new IOException($"{Path}: poll failed (errno {errno})");
        }
        if ((poll.Returned & events) == 0 && (poll.Returned & (PollHangUp | PollError)) != 0)
        {
            throw new IOException($"{Path}: the line hung up (adapter unplugged?)");
        }
    }

    [LibraryImport("libc", EntryPoint = "tcflush", SetLastError = true)]
    private static partial int tcflush(int fd, int queue);
}
