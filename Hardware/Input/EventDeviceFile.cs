using System.Runtime.InteropServices;
using Robotics.Hardware.Native;

namespace Robotics.Hardware.Input;

/// <summary>
/// An input event device (/dev/input/eventN) opened for reading, and the evdev ioctls the driver uses
/// (linux/input.h). Opened non-blocking: the device thread waits in poll(2) with a timeout so that it can
/// republish a held stick's state and notice a stop, and an open never waits (a FIFO's open would, for a writer).
/// </summary>
internal sealed class EventDeviceFile : IDisposable
{
    /// <summary>What <see cref="Read"/> returns once the device is gone.</summary>
    public const int Gone = -1;

    /// <summary>Bytes in the key-state bitmap: one bit per code up to KEY_MAX.</summary>
    public const int KeyBitmapSize = EventCodes.KeyMax / 8 + 1;

    // Request numbers are _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr
    // (asm-generic/ioctl.h; dir 1 write, 2 read), with type 'E' (0x45) for evdev (linux/input.h):
    //   EVIOCGABS(abs) = _IOR('E', 0x40 + abs, struct input_absinfo): 2 << 30 | 24 << 16 | 0x45 << 8 | 0x40 = 0x80184540 + abs
    //     (input_absinfo is six __s32: value, minimum, maximum, fuzz, flat, resolution: 24 bytes);
    //   EVIOCGKEY(len) = _IOC(_IOC_READ, 'E', 0x18, len): 2 << 30 | 96 << 16 | 0x45 << 8 | 0x18 = 0x80604518 for 96 bytes;
    //   EVIOCGRAB = _IOW('E', 0x90, int): 1 << 30 | 4 << 16 | 0x45 << 8 | 0x90 = 0x40044590.
    // Checked against the header with a C compiler on x86-64.
    private const uint GetAbsoluteInfo = 0x80184540;
    private const uint GetKeyState = 0x80000000 | (KeyBitmapSize << 16) | 0x4518;
    private const uint Grab = 0x40044590;
    private const int AbsoluteInfoSize = 24;

    private int _fd;
    private readonly byte[] _absoluteInfo = new byte[AbsoluteInfoSize];

    private EventDeviceFile(int fd) => _fd = fd;

    /// <summary>Opens the device, and grabs it when asked (its events then reach this reader only, not the console).</summary>
    /// <exception cref="IOException">It cannot be opened or grabbed; the message says why.</exception>
    public static EventDeviceFile Open(string path, bool grab)
    {
        int fd = LibC.Open(path, LibC.ReadOnly | LibC.NonBlocking | LibC.CloseOnExec);
        if (fd < 0)
        {
            bool denied = Marshal.GetLastPInvokeError() == LibC.PermissionDenied;
            throw new IOException($"{path}: cannot open: {LibC.LastError()}" +
                (denied ? "; input devices are readable by the 'input' group (sudo usermod -aG input $USER, then log in again)" : ""));
        }
        var file = new EventDeviceFile(fd);
        if (grab && LibC.IoctlValue(fd, Grab, 1) != 0)
        {
            string error = LibC.LastError();
            file.Dispose();
            throw new IOException($"{path}: cannot grab it (EVIOCGRAB): {error}; another program may have grabbed it");
        }
        return file;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for events and reads what has arrived: the bytes read, 0 when
    /// nothing came, or <see cref="Gone"/> once the device is gone — unplugged (read fails with ENODEV and
    /// poll reports POLLHUP | POLLERR: drivers/input/evdev.c) or, for a FIFO, its writer closed (end of file).
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        var poll = new LibC.PollFd { Fd = _fd, Events = LibC.PollIn };
        int ready = LibC.Poll(ref poll, 1, timeoutMs);
        if (ready <= 0)
        {
            return ready == 0 || Marshal.GetLastPInvokeError() == LibC.Interrupted ? 0 : Gone;
        }
        nint got = LibC.Read(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
        if (got > 0)
        {
            return (int)got;
        }
        bool nothingYet = got < 0 && Marshal.GetLastPInvokeError() is LibC.TryAgain or LibC.Interrupted;
        return nothingYet && (poll.Returned & (LibC.PollHangUp | LibC.PollError)) == 0 ? 0 : Gone;
    }

    /// <summary>An axis's present value and range (EVIOCGABS); false if the device cannot say (not an input device, no such axis).</summary>
    public bool TryGetAxis(int code, out int value, out int min, out int max)
    {
        bool ok = LibC.IoctlBuffer(_fd, GetAbsoluteInfo + (uint)code, ref _absoluteInfo[0]) == 0;
        var fields = MemoryMarshal.Cast<byte, int>(_absoluteInfo);
        (value, min, max) = ok ? (fields[0], fields[1], fields[2]) : (0, 0, 0);
        return ok;
    }

    /// <summary>
    /// Which keys are held now (EVIOCGKEY): bit <c>code % 8</c> of byte <c>code / 8</c> (the kernel's bitmap of
    /// longs, which on a little-endian machine is that byte order); false if the device cannot say.
    /// </summary>
    // Unlike EVIOCGABS (0 on success), EVIOCGKEY returns the bytes it copied (drivers/input/evdev.c, bits_to_user).
    public bool TryGetKeys(Span<byte> bitmap) => LibC.IoctlBuffer(_fd, GetKeyState, ref MemoryMarshal.GetReference(bitmap[..KeyBitmapSize])) >= 0;

    /// <summary>Closes the descriptor once: a second close could close a descriptor the process has since reused.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
        }
    }
}
