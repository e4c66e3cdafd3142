using System.Runtime.CompilerServices;
using Robotics.Controller.Shared;
using Robotics.Controller.Ticks;

namespace Robotics.Controller.Link;

/// <summary>
/// Where everything lies in the two segments of a link, computed from the counts the loop's header records. The loop
/// segment (written by the loop process alone, read-only to the gateway): header, robot descriptor, status, applied
/// command, request replies, event ring, tick ring. The gateway segment (written by the gateway alone): presence,
/// operator command, requests. Every part starts on a cache line.
/// </summary>
public sealed record LinkGeometry(TickLayout Layout, int TickCapacity, int EventCapacity, int RequestSlots, int DescriptorCapacity)
{
    /// <summary>The link's layout version: changes whenever a record, a part or their order does (and with the tick layout's).</summary>
    public const int Version = 300 + TickLayout.Version;

    public const int DefaultEventCapacity = 1024;
    public const int DefaultRequestSlots = 8;
    public const int DefaultDescriptorCapacity = 16 * 1024;

    public static long Descriptor => Align(Unsafe.SizeOf<LinkHeader>());

    public long Status => Descriptor + Align(DescriptorCapacity);

    public long Applied => Status + Align(SharedCell.BytesFor<LinkStatus>(0));

    public long Replies => Applied + Align(SharedCell.BytesFor<LinkApplied>(Layout.Actions));

    public long Events => Replies + Align((long)RequestSlots * Unsafe.SizeOf<LinkReply>());

    public long Ticks => Events + EventRing.BytesFor(EventCapacity);

    public long LoopBytes => Ticks + TickRing.BytesFor(TickCapacity, Layout);

    public static long Command => Align(Unsafe.SizeOf<GatewayPresence>());

    public long Requests => Command + Align(SharedCell.BytesFor<LinkCommand>(Layout.Actions));

    public long GatewayBytes => Requests + Align((long)RequestSlots * Unsafe.SizeOf<LinkRequest>());

    /// <summary>The geometry a header describes; null when its counts are out of any sane range.</summary>
    public static LinkGeometry? From(in LinkHeader header)
    {
        bool sane = header.Observations is >= 0 and <= 4096 && header.Actions is >= 1 and <= 4096 && header.HeadOutputs is >= 0 and <= 65536 &&
            header.TickCapacity is >= 64 and <= 1 << 24 && int.IsPow2(header.TickCapacity) && header.EventCapacity is >= 16 and <= 1 << 16 && int.IsPow2(header.EventCapacity) &&
            header.RequestSlots is >= 1 and <= 64 && header.DescriptorCapacity is >= 1024 and <= 1 << 20 && header.DescriptorLength >= 0 && header.DescriptorLength <= header.DescriptorCapacity;
        return sane ? new LinkGeometry(new TickLayout(header.Observations, header.Actions, header.HeadOutputs), header.TickCapacity, header.EventCapacity,
            header.RequestSlots, header.DescriptorCapacity) : null;
    }

    private static long Align(long bytes) => MemoryBlock.AlignUp(bytes);
}
