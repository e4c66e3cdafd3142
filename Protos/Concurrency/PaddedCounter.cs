using System.Runtime.InteropServices;

namespace Robotics.Protos.Concurrency;

/// <summary>
/// A 64-bit counter alone on its cache lines (128 bytes, so adjacent-line prefetch does not pair it with a
/// neighbour): a ring's producer and consumer each own one and never false-share.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
public struct PaddedCounter
{
    [FieldOffset(64)]
    public long Value;
}
