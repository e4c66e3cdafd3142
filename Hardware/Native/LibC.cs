using System.Runtime.InteropServices;

namespace Robotics.Hardware.Native;

/// <summary>
/// The file-descriptor calls the drivers that bypass .NET's streams share (a serial line's, an input device's):
/// open(2), read(2), write(2), poll(2), ioctl(2), close(2), with the constants they take. Values from
/// &lt;fcntl.h&gt; (asm-generic/fcntl.h), &lt;poll.h&gt; and &lt;errno.h&gt;: the same on x86-64 and arm64 Linux.
/// </summary>
internal static partial class LibC
{
    public const int ReadOnly = 0x0;
    public const int ReadWrite = 0x2;
    public const int NoControllingTerminal = 0x100;
    public const int NonBlocking = 0x800;
    public const int CloseOnExec = 0x80000;

    public const short PollIn = 0x1;
    public const short PollOut = 0x4;
    public const short PollError = 0x8;
    public const short PollHangUp = 0x10;

    public const int Interrupted = 4;
    public const int PermissionDenied = 13;
    public const int TryAgain = 11;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd fds, nuint count, int timeoutMs);

    /// <summary>An ioctl whose argument is an int the kernel fills in.</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlInt(int fd, nuint request, out int value);

    /// <summary>An ioctl whose argument points at a buffer (its size is encoded in the request).</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlBuffer(int fd, nuint request, ref byte buffer);

    /// <summary>An ioctl whose argument is a plain value, not a pointer.</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlValue(int fd, nuint request, nint value);

    /// <summary>Nothing to do if close fails: the descriptor is released either way (close(2), NOTES).</summary>
    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>The text of the last call's errno, e.g. "No such file or directory (errno 2)".</summary>
    public static string LastError()
    {
        int errno = Marshal.GetLastPInvokeError();
        return $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
    }
}
