using System.Runtime.InteropServices;

namespace Robotics.Hardware.Input;

/// <summary>
/// The record an event device's read(2) returns, <c>struct input_event</c> (linux/input.h): a struct timeval
/// (two longs: 16 bytes on 64-bit Linux), then <c>__u16 type</c>, <c>__u16 code</c>, <c>__s32 value</c>, in the
/// machine's byte order — 24 bytes on x86-64 and arm64. A read always returns a whole number of them
/// (Documentation/input/input.rst, "evdev"). The kernel's timestamp is not used: the device stamps a sample
/// with the monotonic clock when it processes it.
/// </summary>
public static class InputEvent
{
    /// <summary>Bytes in one event: two longs of time, then 8 bytes.</summary>
    public static readonly int Size = 2 * IntPtr.Size + 8;

    public static ushort Type(ReadOnlySpan<byte> record) => MemoryMarshal.Read<ushort>(record[(Size - 8)..]);

    public static ushort Code(ReadOnlySpan<byte> record) => MemoryMarshal.Read<ushort>(record[(Size - 6)..]);

    public static int Value(ReadOnlySpan<byte> record) => MemoryMarshal.Read<int>(record[(Size - 4)..]);
}
